"""Fax numbers must be confirmed before letters with PHI are faxed to them: the letter's fax is held
with its reason, the office confirms with the code from a test page, support confirms, the held fax
is released. Also the limits on codes and who may do what."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from portal_app.domain.enums import FaxConfirmationStatus, OutboxFaxStatus
from portal_app.models import AuditEvent, Document, FaxNumber, OutboxEmail, OutboxFax, User
from portal_app.services import fax as fax_service
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.fax import (
    MAX_CODE_ATTEMPTS,
    decide_fax,
    enter_code,
    faxes_awaiting_support,
    is_confirmed,
    list_faxes,
    practice_fax_numbers,
    queue_fax,
    request_confirmation,
)
from portal_app.services.letters import create_determination_letters
from tests.conftest import BACKENDS
from tests.integration.order_helpers import actor_for
from tests.integration.test_letters import LETTER_DAY, _order, uploads  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True),
    pytest.mark.usefixtures("demo_data"),
]

LETTER_FAX = "555-0100"  # the letter fax of the orders test_letters builds
HELD_REASON = "Held: fax number 555-0100 has not been confirmed for letters with patient information"


def _letters(session, number: str, decision: str = "non_authorized"):
    order = _order(session, number=number, decision=decision)
    ids = create_determination_letters(session, order_id=order.id, today=LETTER_DAY)
    session.commit()
    return order, ids


def _letter_faxes(session, order_id: int) -> list[OutboxFax]:
    return session.exec(select(OutboxFax).where(OutboxFax.order_id == order_id)).all()


def _code_from_test_page(session, digits: str) -> str:
    """The office reads the code printed on the test page (its subject; it carries no PHI)."""
    page = session.exec(
        select(OutboxFax)
        .where(OutboxFax.to_number == digits, OutboxFax.contains_phi.is_(False))
        .order_by(OutboxFax.id.desc())
    ).first()
    assert page is not None and page.status == OutboxFaxStatus.RELEASED
    return re.search(r"\b(\d{6})\b", page.subject).group(1)


@pytest.mark.usefixtures("uploads")
def test_a_letter_to_an_unconfirmed_fax_is_held_and_released_after_code_and_support(session):
    order, ids = _letters(session, "PC2026900101")
    [held] = _letter_faxes(session, order.id)
    assert (held.status, held.held_reason, held.to_number) == (OutboxFaxStatus.HELD, HELD_REASON, "5550100")
    assert held.document_id == ids[0] and held.contains_phi and held.released_at is None
    assert session.get(Document, ids[0]).filename.endswith("-provider.pdf")
    creator = session.get(User, order.created_by_id)
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == creator.email)).one()
    assert "The fax copy to 555-0100 is held" in mail.body and "not been confirmed" in mail.body
    support = actor_for(session, "support")
    rows, total = list_faxes(session, actor=support, status="held")
    assert total == 1 and rows[0].held_reason == HELD_REASON and rows[0].status_label == "Held"

    office = actor_for(session, "ordering")
    numbers = {n.digits: n for n in practice_fax_numbers(session, actor=office)}
    assert (
        numbers["5550100"].status == "unconfirmed" and "letters of your orders" in numbers["5550100"].used_for
    )
    assert (
        request_confirmation(session, actor=office, number=LETTER_FAX, contact_name="Olive Orderwell") == {}
    )
    row = session.exec(select(FaxNumber).where(FaxNumber.number == "5550100")).one()
    code = _code_from_test_page(session, "5550100")
    assert row.status == FaxConfirmationStatus.CODE_SENT and code not in row.code_hash  # only a hash is kept
    # Support cannot confirm before the office has typed the code.
    assert "number" in decide_fax(session, actor=support, number=LETTER_FAX, confirm=True)
    assert enter_code(session, actor=office, number="(555) 0100", code=code) == {}
    assert fax_service.fax_status(session, LETTER_FAX) == FaxConfirmationStatus.AWAITING_SUPPORT
    assert not is_confirmed(session, LETTER_FAX)
    [waiting] = faxes_awaiting_support(session, actor=support)
    assert (waiting.number, waiting.held_count, waiting.contact_name) == ("555-0100", 1, "Olive Orderwell")

    assert decide_fax(session, actor=support, number=LETTER_FAX, confirm=True) == {}
    session.expire_all()
    [released] = _letter_faxes(session, order.id)
    assert released.status == OutboxFaxStatus.RELEASED and released.released_at is not None
    assert is_confirmed(session, LETTER_FAX)
    # The next letter to the confirmed number goes out at once, and the office is told so.
    second, _ = _letters(session, "PC2026900102", decision="authorized")
    [sent] = _letter_faxes(session, second.id)
    assert sent.status == OutboxFaxStatus.RELEASED and sent.held_reason == ""
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.subject.contains("PC2026900102"))).one()
    assert "A copy was faxed to 555-0100." in mail.body
    actions = set(session.exec(select(AuditEvent.action).where(AuditEvent.record_type == "fax_number")).all())
    assert {"fax.confirmation_requested", "fax.code_entered", "fax.confirmed"} <= actions


@pytest.mark.usefixtures("uploads")
def test_wrong_codes_are_limited_and_a_new_test_page_starts_again(session):
    _letters(session, "PC2026900103")
    office = actor_for(session, "ordering")
    assert request_confirmation(session, actor=office, number=LETTER_FAX, contact_name="Olive") == {}
    code = _code_from_test_page(session, "5550100")
    wrong = "000000" if code != "000000" else "111111"
    for attempt in range(1, MAX_CODE_ATTEMPTS + 1):
        errors = enter_code(session, actor=office, number=LETTER_FAX, code=wrong)
        assert "code" in errors, attempt
    assert "Too many wrong codes" in enter_code(session, actor=office, number=LETTER_FAX, code=code)["code"]
    assert fax_service.fax_status(session, LETTER_FAX) == FaxConfirmationStatus.CODE_SENT

    assert request_confirmation(session, actor=office, number=LETTER_FAX, contact_name="Olive") == {}
    assert (
        enter_code(session, actor=office, number=LETTER_FAX, code=_code_from_test_page(session, "5550100"))
        == {}
    )


@pytest.mark.usefixtures("uploads")
def test_support_may_reject_a_number_with_a_note_and_the_fax_stays_held(session):
    order, _ = _letters(session, "PC2026900104")
    office, support = actor_for(session, "ordering"), actor_for(session, "support")
    request_confirmation(session, actor=office, number=LETTER_FAX, contact_name="Olive")
    enter_code(session, actor=office, number=LETTER_FAX, code=_code_from_test_page(session, "5550100"))
    assert "note" in decide_fax(session, actor=support, number=LETTER_FAX, confirm=False)
    assert (
        decide_fax(
            session,
            actor=support,
            number=LETTER_FAX,
            confirm=False,
            note="The number belongs to another office.",
        )
        == {}
    )
    assert fax_service.fax_status(session, LETTER_FAX) == FaxConfirmationStatus.REJECTED
    assert _letter_faxes(session, order.id)[0].status == OutboxFaxStatus.HELD
    numbers = {n.digits: n for n in practice_fax_numbers(session, actor=office)}
    assert "another office" in numbers["5550100"].next_step


@pytest.mark.usefixtures("uploads")
def test_only_the_practice_that_asked_may_enter_the_code_and_typed_numbers_must_be_us_numbers(
    session,
):
    _letters(session, "PC2026900105")
    office, other = actor_for(session, "ordering"), actor_for(session, "ordering2")
    assert "number" in request_confirmation(session, actor=other, number="555-0199", contact_name="Otto")
    assert "contact_name" in request_confirmation(session, actor=office, number=LETTER_FAX, contact_name=" ")
    request_confirmation(session, actor=office, number=LETTER_FAX, contact_name="Olive")
    code = _code_from_test_page(session, "5550100")
    assert "number" in enter_code(session, actor=other, number=LETTER_FAX, code=code)
    assert "5550100" not in {n.digits for n in practice_fax_numbers(session, actor=other)}
    with pytest.raises(PermissionDenied):
        decide_fax(session, actor=office, number=LETTER_FAX, confirm=True)
    with pytest.raises(PermissionDenied):
        list_faxes(session, actor=office)
    with pytest.raises(PermissionDenied):
        request_confirmation(session, actor=actor_for(session, "nurse"), number=LETTER_FAX, contact_name="N")
    # A new number typed by the office: 10 US digits.
    assert request_confirmation(session, actor=other, number="312-555-0142", contact_name="Otto") == {}
    assert "3125550142" in {n.digits for n in practice_fax_numbers(session, actor=other)}


def test_a_fax_without_phi_is_never_held_and_the_outbox_pages_on_the_server(session):
    load_demo_data(session)
    support = actor_for(session, "support")
    for i in range(5):
        queue_fax(session, to_number=f"312-555-01{i:02d}", subject=f"Letter {i}", contains_phi=i % 2 == 0)
    session.commit()
    rows, total = list_faxes(session, actor=support, page=0, page_size=2)
    assert total == 5 and [r.subject for r in rows] == ["Letter 4", "Letter 3"]
    rows, _ = list_faxes(session, actor=support, page=2, page_size=2)
    assert [r.subject for r in rows] == ["Letter 0"]
    held, held_total = list_faxes(session, actor=support, status="held")
    assert held_total == 3 and all(r.held_reason.startswith("Held: fax number 312-555-01") for r in held)
    released, _ = list_faxes(session, actor=support, status="released")
    assert {r.subject for r in released} == {"Letter 1", "Letter 3"} and all(r.released_at for r in released)
