"""Change requests for a practice's providers and sites: asking, support's decision, effective dates,
the history, and that another practice can neither see nor change them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal_app.domain.enums import ChangeRequestStatus, FacilityType, FaxConfirmationStatus
from portal_app.models import AuditEvent, DemographicChangeRequest, Facility, OutboxEmail, Provider
from portal_app.services import fax as fax_service
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.demographic_changes import (
    apply_due_changes,
    change_history,
    change_targets,
    decide_change,
    list_change_requests,
    request_change,
)
from tests.conftest import BACKENDS
from tests.integration.order_helpers import actor_for

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

TODAY = date(2026, 11, 23)
NEXT_MONTH = date(2026, 12, 15)
NEW_FAX = "(312) 555-0199"


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _own_provider(session) -> Provider:
    """A provider billing under the first demo practice (90-1000001), where "ordering" works."""
    return session.exec(select(Provider).where(Provider.tax_id == "90-1000001").order_by(Provider.id)).first()


def _ask(session, office, provider, *, field="fax", values=None, effective=TODAY, reason="Moved offices"):
    return request_change(
        session,
        actor=office,
        provider_id=provider.id,
        field=field,
        new_values=values if values is not None else {"fax": NEW_FAX},
        effective_date=effective,
        reason=reason,
        today=TODAY,
    )


def test_a_future_change_is_applied_on_its_day_and_the_new_fax_is_not_confirmed(demo):
    office, support = actor_for(demo, "ordering"), actor_for(demo, "support")
    provider = _own_provider(demo)
    old_fax = provider.fax
    request_id, errors = _ask(demo, office, provider, effective=NEXT_MONTH)
    assert errors == {} and request_id

    assert decide_change(demo, actor=support, request_id=request_id, approve=True, note="", today=TODAY) == {}
    row = demo.get(DemographicChangeRequest, request_id)
    assert row.status == ChangeRequestStatus.APPROVED and row.applied_at is None
    assert demo.get(Provider, provider.id).fax == old_fax  # not before its day
    assert apply_due_changes(demo, today=NEXT_MONTH - timedelta(days=1)) == 0
    assert demo.get(Provider, provider.id).fax == old_fax

    assert apply_due_changes(demo, today=NEXT_MONTH) == 1
    demo.expire_all()
    assert demo.get(Provider, provider.id).fax == "312-555-0199"
    row = demo.get(DemographicChangeRequest, request_id)
    assert row.status == ChangeRequestStatus.APPLIED and row.old_values == {"fax": old_fax}
    assert apply_due_changes(demo, today=NEXT_MONTH) == 0  # applied once
    # The new number must be confirmed before letters with PHI are faxed to it.
    assert fax_service.fax_status(demo, NEW_FAX) == FaxConfirmationStatus.UNCONFIRMED
    assert demo.exec(select(AuditEvent).where(AuditEvent.action == "demographics.change_applied")).one()


def test_an_approval_whose_day_has_come_applies_at_once_and_tells_the_office(demo):
    office, support = actor_for(demo, "ordering"), actor_for(demo, "support")
    provider = _own_provider(demo)
    request_id, _ = _ask(
        demo,
        office,
        provider,
        field="address",
        values={
            "address_line": "77 New Street",
            "city": "Springfield",
            "state": "il",
            "postal_code": "62704",
        },
    )
    assert (
        decide_change(demo, actor=support, request_id=request_id, approve=True, note="Checked", today=TODAY)
        == {}
    )
    demo.expire_all()
    provider = demo.get(Provider, provider.id)
    assert (provider.address_line, provider.city, provider.state, provider.postal_code) == (
        "77 New Street",
        "Springfield",
        "IL",
        "62704",
    )
    assert demo.get(DemographicChangeRequest, request_id).status == ChangeRequestStatus.APPLIED
    mail = demo.exec(select(OutboxEmail).where(OutboxEmail.to_address == "ordering@demo.precert.test")).all()[
        -1
    ]
    assert "now on file" in mail.body


def test_a_rejection_needs_a_note_and_keeps_the_old_values(demo):
    office, support = actor_for(demo, "ordering"), actor_for(demo, "support")
    provider = _own_provider(demo)
    old_phone = provider.phone
    request_id, _ = _ask(demo, office, provider, field="phone", values={"phone": "312-555-0177"})
    assert "note" in decide_change(
        demo, actor=support, request_id=request_id, approve=False, note="  ", today=TODAY
    )
    assert (
        decide_change(
            demo,
            actor=support,
            request_id=request_id,
            approve=False,
            note="The number rings a different office.",
            today=TODAY,
        )
        == {}
    )
    demo.expire_all()
    assert demo.get(Provider, provider.id).phone == old_phone
    row = demo.get(DemographicChangeRequest, request_id)
    assert (
        row.status == ChangeRequestStatus.REJECTED
        and row.decision_note == "The number rings a different office."
    )
    assert apply_due_changes(demo, today=TODAY) == 0
    # Decided once: a second decision is refused.
    assert "request" in decide_change(
        demo, actor=support, request_id=request_id, approve=True, note="", today=TODAY
    )


def test_another_practice_can_neither_see_nor_change_a_provider(demo):
    office, other = actor_for(demo, "ordering"), actor_for(demo, "ordering2")
    provider = _own_provider(demo)
    request_id, _ = _ask(demo, office, provider)

    assert provider.id not in {t.id for t in change_targets(demo, actor=other) if t.kind == "provider"}
    assert {t.id for t in change_targets(demo, actor=office) if t.kind == "provider"} >= {provider.id}
    before = demo.get(Provider, provider.id).npi
    refused_id, errors = request_change(
        demo,
        actor=other,
        provider_id=provider.id,
        field="npi",
        new_values={"npi": "1234567893"},
        effective_date=TODAY,
        today=TODAY,
    )
    assert refused_id is None and "target" in errors
    assert demo.get(Provider, provider.id).npi == before
    assert change_history(demo, actor=other, provider_id=provider.id) == []
    rows, total = list_change_requests(demo, actor=other)
    assert total == 0 and rows == []
    rows, total = list_change_requests(demo, actor=office)
    # The demo data holds one pending request of its own (another provider of the same practice).
    assert total == 2 and request_id in {r.id for r in rows}
    denied = demo.exec(
        select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.user_id == other.user_id)
    ).all()
    assert len(denied) == 2


def test_only_support_decides_and_support_does_not_ask(demo):
    office, support = actor_for(demo, "ordering"), actor_for(demo, "support")
    provider = _own_provider(demo)
    request_id, _ = _ask(demo, office, provider)
    with pytest.raises(PermissionDenied):
        decide_change(demo, actor=office, request_id=request_id, approve=True, note="", today=TODAY)
    with pytest.raises(PermissionDenied):
        request_change(
            demo,
            actor=support,
            provider_id=provider.id,
            field="fax",
            new_values={"fax": NEW_FAX},
            effective_date=TODAY,
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):
        change_history(demo, actor=actor_for(demo, "nurse"), provider_id=provider.id)
    rows, total = list_change_requests(demo, actor=support, status="pending")
    mine = [r for r in rows if r.id == request_id]
    assert total == 2 and mine[0].status_label == "Waiting for support"  # with the demo's own request


def test_problems_with_a_request_are_named_by_field(demo):
    office = actor_for(demo, "ordering")
    provider, second = demo.exec(
        select(Provider).where(Provider.tax_id == "90-1000001").order_by(Provider.id)
    ).all()[:2]
    _, errors = _ask(demo, office, provider, effective=TODAY - timedelta(days=1))
    assert "past" in errors["effective_date"]
    _, errors = _ask(demo, office, provider, field="npi", values={"npi": "1234567890"})
    assert "check digit" in errors["npi"]
    _, errors = _ask(demo, office, provider, field="npi", values={"npi": second.npi})
    assert errors == {"npi": "Another provider or site already has this NPI."}
    _, errors = _ask(demo, office, provider, field="phone", values={"phone": "555-0101"})
    assert "10-digit" in errors["phone"]
    _, errors = _ask(demo, office, provider, field="email", values={})
    assert "field" in errors
    _, errors = _ask(demo, office, provider, field="tax_id", values={"tax_id": provider.tax_id})
    assert errors == {"tax_id": "That is what is on file already."}
    assert _ask(demo, office, provider)[1] == {}
    _, errors = _ask(demo, office, provider, values={"fax": "312-555-0188"})
    assert errors == {"field": "A request to change this is already waiting for support."}
    _, errors = request_change(
        demo, actor=office, field="fax", new_values={"fax": NEW_FAX}, effective_date=TODAY, today=TODAY
    )
    assert "target" in errors


def test_the_history_lists_old_and_new_values_newest_first(demo):
    office, support = actor_for(demo, "ordering"), actor_for(demo, "support")
    provider = _own_provider(demo)
    old_fax = provider.fax
    first, _ = _ask(demo, office, provider)
    decide_change(demo, actor=support, request_id=first, approve=True, note="", today=TODAY)
    second, _ = _ask(
        demo, office, provider, field="tax_id", values={"tax_id": "90-1000002"}, effective=NEXT_MONTH
    )
    third, _ = _ask(demo, office, provider, values={"fax": "312-555-0166"}, effective=NEXT_MONTH)
    decide_change(
        demo, actor=support, request_id=third, approve=False, note="Please send the fax form.", today=TODAY
    )

    history = change_history(demo, actor=office, provider_id=provider.id)
    assert [row.id for row in history] == [third, second, first]
    assert [(r.field_label, r.old_text, r.new_text, r.status) for r in history] == [
        ("Fax", "312-555-0199", "312-555-0166", "rejected"),
        ("Tax ID", "90-1000001", "90-1000002", "pending"),
        ("Fax", old_fax, "312-555-0199", "applied"),
    ]
    assert history[0].decision_note == "Please send the fax form."
    # Support reads the same history.
    assert [row.id for row in change_history(demo, actor=support, provider_id=provider.id)] == [
        third,
        second,
        first,
    ]


def test_a_site_of_the_practice_can_be_changed(demo):
    office, support = actor_for(demo, "ordering"), actor_for(demo, "support")
    site = Facility(
        npi="2990009990",
        name="Practice Imaging Suite (test)",
        facility_type=FacilityType.PHYSICIAN_OFFICE,
        address_line="1 Site Way",
        city="Springfield",
        state="IL",
        postal_code="62701",
        phone="555-0111",
        fax="555-0112",
        tax_id="90-1000001",
    )
    demo.add(site)
    demo.commit()
    targets = {t.key: t for t in change_targets(demo, actor=office)}
    assert targets[f"facility:{site.id}"].current["fax"] == "555-0112"
    request_id, errors = request_change(
        demo,
        actor=office,
        facility_id=site.id,
        field="fax",
        new_values={"fax": NEW_FAX},
        effective_date=TODAY,
        today=TODAY,
    )
    assert errors == {}
    decide_change(demo, actor=support, request_id=request_id, approve=True, note="", today=TODAY)
    demo.expire_all()
    assert demo.get(Facility, site.id).fax == "312-555-0199"
    assert change_history(demo, actor=office, facility_id=site.id)[0].target_label.startswith(
        "Practice Imaging"
    )
