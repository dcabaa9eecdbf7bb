"""Determination letters: what the PDFs say, the stored documents, the outbox, and who may fetch them."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlmodel import select

from portal_app.domain.enums import Role
from portal_app.models import (
    AuditEvent,
    Determination,
    Document,
    Member,
    Order,
    OrderLine,
    OutboxEmail,
    PracticeMembership,
    Provider,
    User,
)
from portal_app.services import file_store
from portal_app.services.authz import Actor
from portal_app.services.demo_data import load_demo_data
from portal_app.services.letters import (
    RECIPIENT_MEMBER,
    RECIPIENT_PROVIDER,
    LetterContent,
    LetterLine,
    create_determination_letters,
    letter_file,
    render_letter_pdf,
)
from portal_app.services.orders import OrderNotFound
from portal_app.settings import get_settings
from tests.conftest import BACKENDS

pytestmark = pytest.mark.usefixtures("demo_data")

# Each database test runs on SQLite, and on PostgreSQL when TEST_PG_URL is set.
on_each_database = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

LETTER_DAY = date(2026, 11, 23)
APPROVAL_REASON = (
    "Eight weeks of physical therapy were tried without relief, which the guideline requires first."
)
APPROVAL_GUIDELINE = "Imaging guideline: lumbar spine MRI, section 2.1 (demo)"
DENIAL_REASON = (
    "No neurological deficit and under six weeks of symptoms, so imaging would not change treatment."
)
DENIAL_GUIDELINE = "Imaging guideline: low back pain, section 3.4 (demo)"


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    """Letters are written under a temporary data folder."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield get_settings().uploads_dir
    get_settings.cache_clear()


def _text(pdf: bytes) -> str:
    """All text of a PDF, with runs of white space (line breaks in wrapped text) made one space."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _actor(session, username: str) -> Actor:
    user = session.exec(select(User).where(User.username == username)).one()
    practices = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user.id)
    ).all()
    return Actor(
        user_id=user.id, role=Role(user.role), full_name=user.full_name, practice_ids=tuple(practices)
    )


def _order(session, *, number: str, decision: str, line_of_business: str | None = None) -> Order:
    """A submitted imaging order of the first demo practice with one decided line."""
    load_demo_data(session)
    creator = session.exec(select(User).where(User.username == "ordering")).one()
    physician = session.exec(select(User).where(User.username == "physician")).one()
    practice_id = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == creator.id)
    ).one()
    member = session.exec(select(Member).where(Member.member_number == "EVG100000012")).one()
    if line_of_business:
        member.line_of_business = line_of_business
        session.add(member)
    provider = session.exec(select(Provider).where(Provider.tax_id == "90-1000001")).first()
    order = Order(
        order_number=number,
        program="imaging",
        plan_id=member.plan_id,
        member_id=member.id,
        practice_id=practice_id,
        ordering_provider_id=provider.id,
        status=decision,
        urgency="standard",
        service_start=date(2026, 12, 7),
        submitted_at=datetime(2026, 11, 16, 10, tzinfo=UTC),
        letter_address="1 Demo Way, Springfield, IL 62701",
        letter_fax="555-0100",
        created_by_id=creator.id,
        updated_by_id=creator.id,
    )
    session.add(order)
    session.flush()
    line = OrderLine(
        order_id=order.id,
        line_number=1,
        code_system="CPT",
        code="72148",
        description="MRI lumbar spine without contrast",
        decision=decision,
    )
    session.add(line)
    session.flush()
    session.add(
        Determination(
            order_line_id=line.id,
            decision="pended",
            reason="A criterion could not be checked.",
            decided_by="rules_engine",
            decided_at=datetime(2026, 11, 16, 10, tzinfo=UTC),
        )
    )
    if decision == "authorized":
        session.add(
            Determination(
                order_line_id=line.id,
                decision="authorized",
                reason=APPROVAL_REASON,
                guideline_citation=APPROVAL_GUIDELINE,
                decided_by="nurse",
                decided_by_user_id=None,
                decided_at=datetime(2026, 11, 20, 15, tzinfo=UTC),
                valid_from=date(2026, 12, 7),
                valid_until=date(2027, 1, 5),
            )
        )
    else:
        session.add(
            Determination(
                order_line_id=line.id,
                decision="non_authorized",
                reason=DENIAL_REASON,
                guideline_citation=DENIAL_GUIDELINE,
                decided_by="physician",
                decided_by_user_id=physician.id,
                decided_at=datetime(2026, 11, 20, 15, tzinfo=UTC),
            )
        )
    session.commit()
    return order


def _letters(session, order: Order) -> dict[str, tuple[Document, bytes]]:
    ids = create_determination_letters(session, order_id=order.id, today=LETTER_DAY)
    session.commit()
    documents = {d.id: d for d in session.exec(select(Document).where(Document.order_id == order.id)).all()}
    assert sorted(documents) == sorted(ids) and len(ids) == 2
    found = {}
    for document_id, who in zip(ids, ("provider", "member"), strict=True):
        document = documents[document_id]
        content = file_store.load(document.storage_path)  # stored encrypted
        found[who] = (document, content)
    return found


@on_each_database
def test_an_approval_letter_names_the_service_decision_reason_guideline_and_dates(session, uploads):
    order = _order(session, number="PC2026900001", decision="authorized")
    letters = _letters(session, order)
    for who, (document, content) in letters.items():
        assert (document.kind, document.media_type) == ("letter", "application/pdf")
        assert document.sha256 == hashlib.sha256(content).hexdigest() and document.size_bytes == len(content)
        assert document.filename.endswith(f"-{who}.pdf") and document.filename.startswith("PC2026900001")
        text = _text(content)
        for expected in (
            "Order number: PC2026900001",
            "Radiology and cardiology imaging",
            "72148",
            "MRI lumbar spine without contrast",
            "Approved",
            APPROVAL_REASON,
            APPROVAL_GUIDELINE,
            "from December 7, 2026 through January 5, 2027",
            "Date: November 23, 2026",
            "Evergreen Mutual Health (demo)",
        ):
            assert expected in text, (who, expected)
        assert "reconsider" not in text.lower() and "appeal" not in text.lower()
    assert "1 Demo Way" in _text(letters["provider"][1]) and "Fax: 555-0100" in _text(letters["provider"][1])
    member = session.exec(select(Member).where(Member.member_number == "EVG100000012")).one()
    assert member.address_line in _text(letters["member"][1])
    # No commit inside the service: the caller's commit above wrote the documents, mail and audit.
    creator = session.get(User, order.created_by_id)
    mail = session.exec(select(OutboxEmail).where(OutboxEmail.to_address == creator.email)).one()
    assert "PC2026900001" in mail.subject and "555-0100" in mail.body
    assert member.last_name not in mail.body  # no PHI in e-mail
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "letter.created")).one()
    assert sorted(event.detail["documents"]) == sorted(d.id for d, _ in letters.values())


@on_each_database
@pytest.mark.parametrize("preference", ["off", "daily_digest"])
def test_the_letter_ready_email_follows_the_users_email_preference(session, uploads, preference):
    order = _order(session, number="PC2026900009", decision="authorized")
    creator = session.get(User, order.created_by_id)
    creator.email_preference = preference
    session.add(creator)
    session.commit()
    _letters(session, order)
    assert session.exec(select(OutboxEmail).where(OutboxEmail.to_address == creator.email)).all() == []


@on_each_database
def test_a_denial_letter_gives_the_reason_guideline_and_the_reconsideration_and_appeal_deadlines(
    session, uploads
):

    order = _order(
        session, number="PC2026900002", decision="non_authorized", line_of_business="medicare_advantage"
    )
    letters = _letters(session, order)
    for _who, (_document, content) in letters.items():
        text = _text(content)
        for expected in (
            "72148",
            "Denied",
            DENIAL_REASON,
            DENIAL_GUIDELINE,
            # denied on November 20: 10 calendar days later
            "within 10 calendar days of the denial: by November 30, 2026",
            "Evergreen Mutual Health (demo) for an appeal",
            # Medicare Advantage: 60 days from receipt, 42 CFR 422.582(b); 60 days after the letter
            "42 CFR 422.582(b)",
            "January 22, 2027",
        ):
            assert expected in text, expected
        assert "Valid from" not in text and "What an approval means" not in text


@on_each_database
def test_a_plan_without_a_stated_appeal_window_points_to_the_plan_documents(session, uploads):
    order = _order(session, number="PC2026900003", decision="non_authorized")  # a commercial member
    text = _text(_letters(session, order)["member"][1])
    assert "Deadline to appeal: as stated in the member's plan documents." in text
    assert "CFR 422" not in text


def test_the_same_content_renders_the_same_bytes():
    content = LetterContent(
        recipient=RECIPIENT_PROVIDER,
        recipient_name="Dr Demo",
        recipient_address=("1 Demo Way",),
        order_number="PC2026000009",
        member_name="Avery Demoson",
        member_id="EVG1",
        plan_name="Plan",
        service="Sleep",
        letter_date=LETTER_DAY,
        lines=(
            LetterLine(
                "95810",
                "Sleep study in a lab",
                "Approved",
                "authorized",
                "Met",
                "Guideline 1",
                date(2026, 12, 1),
                date(2027, 1, 30),
            ),
        ),
    )
    assert render_letter_pdf(content) == render_letter_pdf(content)
    member_copy = LetterContent(**{**content.__dict__, "recipient": RECIPIENT_MEMBER})
    assert "for you" in _text(render_letter_pdf(member_copy))


@on_each_database
def test_only_users_who_may_read_the_order_can_fetch_its_letter(session, uploads):
    order = _order(session, number="PC2026900004", decision="authorized")
    letters = _letters(session, order)
    document, content = letters["provider"]

    assert letter_file(session, actor=_actor(session, "ordering"), document_id=document.id) == (
        document.filename,
        content,
    )
    assert letter_file(session, actor=_actor(session, "nurse"), document_id=document.id)[1] == content
    for outsider in ("ordering2", "servicing", "support"):  # another practice, servicing staff, support
        with pytest.raises(OrderNotFound):
            letter_file(session, actor=_actor(session, outsider), document_id=document.id)
    with pytest.raises(OrderNotFound):
        letter_file(session, actor=_actor(session, "ordering"), document_id=document.id + 1000)
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.record_type == "document")).all()
    assert actions.count("document.read") == 2 and actions.count("document.read_denied") == 4
