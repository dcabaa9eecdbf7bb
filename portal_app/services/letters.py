"""Determination letters: what was decided for each requested service, why, and what can be done next.

Two letters per decision, one for the ordering provider and one for the member, rendered as PDF
with reportlab and stored as documents of the order (kind "letter") the same way uploads are:
bytes under the uploads folder with a random name, SHA-256 and size in the row.

The texts are our own plain words. The rules behind them:

* every denial names its specific reason and the guideline it rests on (CMS-0057-F,
  42 CFR 457.732(a) as summarised in shared/domain/prior-auth-standards.md);
* an approval states the dates it is valid (the same rule's "date or circumstance when the
  authorization ends");
* after a denial the ordering provider may ask for a reconsideration within 10 calendar days
  of the denial (program FAQs, shared/seeds/001 and 003), and the member, or the provider for
  the member, may appeal to the health plan. The appeal deadline is stated only where a rule
  sets it: Medicare Advantage 60 calendar days from receipt of the notice (42 CFR 422.582(b)),
  Medicaid managed care 60 calendar days from the date of the notice (42 CFR 438.402(c)(2)(ii));
  for other plans the letter points to the member's plan documents.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.conversation import NO_RESPONSE_REASON
from portal_app.domain.demographics import normalize_fax
from portal_app.domain.enums import AuditOutcome, LineDecision, LineOfBusiness, OutboxFaxStatus
from portal_app.domain.guidelines import guideline_version_text
from portal_app.domain.programs import get_program
from portal_app.models import (
    Determination,
    Document,
    HealthPlan,
    Member,
    Order,
    OrderLine,
    OutboxFax,
    PlanLetterContact,
    Provider,
    User,
)
from portal_app.models.base import get_existing, id_of
from portal_app.services import audit, file_store
from portal_app.services.authz import Actor
from portal_app.services.fax import queue_fax
from portal_app.services.mail import MailKind, send_mail
from portal_app.services.notices import mails_immediately
from portal_app.services.order_entry import denied_setting_alternatives
from portal_app.services.orders import OrderNotFound, may_read_order
from portal_app.services.plan_setup import letter_contact_on

logger = logging.getLogger(__name__)

RECIPIENT_PROVIDER = "ordering provider"
RECIPIENT_MEMBER = "member"

# Program FAQs (shared/seeds/001 and 003): the ordering provider may ask for a reconsideration
# within 10 calendar days of a denial decision.
RECONSIDERATION_DAYS = 10

# Appeal filing windows that a regulation sets, by line of business: (days, counted from, citation).
# Medicare Advantage counts from receipt of the notice, which 422.582(b) presumes 5 days after its
# date; the letter gives the date 60 days after its own date so that nobody counts on the presumption.
APPEAL_WINDOWS: dict[str, tuple[int, str, str]] = {
    LineOfBusiness.MEDICARE_ADVANTAGE: (60, "receipt", "42 CFR 422.582(b)"),
    LineOfBusiness.MEDICAID: (60, "notice", "42 CFR 438.402(c)(2)(ii)"),
}

_APPROVED = {LineDecision.AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED}
# Decisions against the request, in whole or in part: each carries reconsideration and appeal rights.
ADVERSE = {LineDecision.NON_AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED}

# What each decision is called in a letter.
DECISION_LABELS: dict[str, str] = {
    LineDecision.AUTHORIZED: "Approved",
    LineDecision.PARTIALLY_AUTHORIZED: "Partly approved",
    LineDecision.NON_AUTHORIZED: "Denied (not approved)",
    LineDecision.PENDED: "Still under review",
    LineDecision.NOTIFICATION_ONLY: "No approval needed (notification only)",
    LineDecision.CANCELLED: "Cancelled",
}


class DocumentIntegrityError(RuntimeError):
    """A stored file no longer matches the SHA-256 recorded when it was stored."""


@dataclass(frozen=True)
class LetterLine:
    """One requested service and its decision, as a letter shows it."""

    code: str
    description: str  # our plain description of the service
    decision: str  # plain label, e.g. "Approved", "Denied (not approved)"
    decision_code: str  # the LineDecision value
    reason: str
    guideline_citation: str
    valid_from: date | None = None
    valid_until: date | None = None
    quantity: int = 1
    approved_quantity: int | None = None
    reason_code: str = ""  # the criterion (or specific reason) the decision rests on
    guideline_version: int | None = None  # the program's criteria version applied (domain/guidelines.py)


# The specific reason when the office never answered a case pended for it (domain/conversation.py).
NO_RESPONSE_LETTER_TEXT = (
    "Specific reason: the information we asked for was not provided and the peer-to-peer conversation "
    "offered did not take place within the time the case waited for an answer, so a physician reviewer "
    "decided on the information on file. This does not take away any right: the ordering provider may "
    "still ask for a reconsideration with the information, and the member may appeal, as explained below."
)


@dataclass(frozen=True)
class LetterContent:
    """Everything one determination letter says; ``render_letter_pdf`` turns it into a PDF."""

    recipient: str  # RECIPIENT_PROVIDER or RECIPIENT_MEMBER
    recipient_name: str
    recipient_address: tuple[str, ...]
    order_number: str
    member_name: str
    member_id: str
    plan_name: str
    service: str  # the program, e.g. "Radiology and cardiology imaging"
    lines: tuple[LetterLine, ...]
    letter_date: date
    ordering_provider: str = ""
    denial_date: date | None = None
    reconsideration_deadline: date | None = None  # 10 calendar days after denial_date
    appeal_route: str = ""
    appeal_deadline: str = ""  # a date with its rule, or "as stated in the member's plan documents"
    # A denied hospital setting: in-network free-standing or office sites that can do the exam instead.
    alternate_sites: tuple[str, ...] = ()

    @property
    def has_denial(self) -> bool:
        """True when any service was denied in whole or in part."""
        return any(line.decision_code in ADVERSE for line in self.lines)

    @property
    def for_member(self) -> bool:
        return self.recipient == RECIPIENT_MEMBER


def reconsideration_deadline(denial_date: date) -> date:
    """The last day the ordering provider may ask for a reconsideration."""
    return denial_date + timedelta(days=RECONSIDERATION_DAYS)


def appeal_terms(
    line_of_business: str, *, plan_name: str, letter_date: date, contact: PlanLetterContact | None = None
) -> tuple[str, str]:
    """(route, deadline) for an appeal to the health plan, for the member's line of business;
    ``contact`` is where the plan takes appeals on the letter's date, when support has set it."""
    if contact is not None:
        fax = f", fax {contact.fax}" if contact.fax else ""
        where = f"by writing to {contact.appeals_address} or calling {contact.phone}{fax}. "
    else:
        where = (
            "by writing or calling the health plan at the address or phone number on the member's ID card. "
        )
    route = (
        f"The member, or the ordering provider on the member's behalf, can ask {plan_name} for an appeal "
        f"{where}If waiting for a standard appeal could seriously harm the member's health, ask for a fast "
        "(expedited) appeal."
    )
    window = APPEAL_WINDOWS.get(line_of_business)
    if window is None:
        return route, "as stated in the member's plan documents"
    days, counted_from, citation = window
    last_day = letter_date + timedelta(days=days)
    if counted_from == "receipt":
        deadline = (
            f"{days} calendar days from the day this letter is received ({citation}); "
            f"to be safe, ask by {_day(last_day)}"
        )
    else:
        deadline = f"{days} calendar days from the date of this letter ({citation}): by {_day(last_day)}"
    return route, deadline


# --- rendering ---


def _day(value: date | None) -> str:
    return f"{value:%B} {value.day}, {value.year}" if value else ""


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "LetterBody", parent=base["BodyText"], fontName="Helvetica", fontSize=10.5, leading=14
    )
    return {
        "title": ParagraphStyle(
            "LetterTitle",
            parent=base["Title"],
            fontName="Helvetica-Bold",
            fontSize=15,
            leading=19,
            alignment=0,
            spaceAfter=6,
        ),
        "heading": ParagraphStyle(
            "LetterHeading",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "body": body,
        "cell": ParagraphStyle("LetterCell", parent=body, fontSize=10, leading=13),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _block(lines: list[str], style: ParagraphStyle) -> Paragraph:
    """Several short lines (an address) as one paragraph."""
    return Paragraph("<br/>".join(escape(line) for line in lines if line.strip()), style)


def _decision_sentence(line: LetterLine) -> str:
    if line.decision_code == LineDecision.PARTIALLY_AUTHORIZED and line.approved_quantity is not None:
        return f"{line.decision}: {line.approved_quantity} of {line.quantity} requested"
    return line.decision


def _line_block(line: LetterLine, styles: dict[str, ParagraphStyle]) -> KeepTogether:
    rows = [
        [_p("Service", styles["cell"]), _p(f"{line.code} - {line.description}", styles["cell"])],
        [_p("Decision", styles["cell"]), _p(_decision_sentence(line), styles["cell"])],
    ]
    if line.decision_code in _APPROVED and (line.valid_from or line.valid_until):
        rows.append(
            [
                _p("Valid", styles["cell"]),
                _p(f"from {_day(line.valid_from)} through {_day(line.valid_until)}", styles["cell"]),
            ]
        )
    if line.decision_code == LineDecision.PENDED:
        rows.append(
            [
                _p("Next step", styles["cell"]),
                _p(
                    "A clinical reviewer is still looking at this service. A separate letter will follow.",
                    styles["cell"],
                ),
            ]
        )
    else:
        if line.reason_code == NO_RESPONSE_REASON and line.decision_code in ADVERSE:
            rows.append([_p("Reason", styles["cell"]), _p(NO_RESPONSE_LETTER_TEXT, styles["cell"])])
        if line.reason:
            rows.append([_p("Why", styles["cell"]), _p(line.reason, styles["cell"])])
        if line.guideline_citation:
            rows.append([_p("Guideline", styles["cell"]), _p(line.guideline_citation, styles["cell"])])
        if line.guideline_version is not None:
            rows.append(
                [
                    _p("Criteria", styles["cell"]),
                    _p(guideline_version_text(line.guideline_version), styles["cell"]),
                ]
            )
    table = Table(rows, colWidths=[1.1 * inch, 5.4 * inch])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#cccccc")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
            ]
        )
    )
    return KeepTogether([table, Spacer(1, 8)])


def _opening(content: LetterContent) -> str:
    if content.for_member:
        who = f"{content.ordering_provider} asked" if content.ordering_provider else "Your doctor asked"
        return (
            f"{who} {content.plan_name} to approve the services below for you. "
            "We reviewed the request for the health plan. This letter tells you what we decided for "
            "each service and why."
        )
    return (
        f"You asked {content.plan_name} to approve the services below for {content.member_name}. "
        "We reviewed the request for the health plan. This letter gives our decision for each service, "
        "the reason, and the guideline we used."
    )


def render_letter_pdf(content: LetterContent) -> bytes:
    """The letter as PDF bytes; the same content always gives the same bytes."""
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=inch,
        rightMargin=inch,
        topMargin=0.8 * inch,
        bottomMargin=0.8 * inch,
        title=f"Prior authorization decision {content.order_number}",
        author="Precert",
        subject=f"Determination letter for the {content.recipient}",
        invariant=1,
    )
    story = [
        _p("Prior authorization decision", styles["title"]),
        _p(f"Date: {_day(content.letter_date)}", styles["body"]),
        Spacer(1, 8),
        _block([content.recipient_name, *content.recipient_address], styles["body"]),
        Spacer(1, 10),
        _block(
            [
                f"Order number: {content.order_number}",
                f"Member: {content.member_name} (member ID {content.member_id})",
                f"Health plan: {content.plan_name}",
                f"Service: {content.service}",
            ],
            styles["body"],
        ),
        Spacer(1, 8),
        _p(_opening(content), styles["body"]),
        _p("Decision for each service", styles["heading"]),
        *[_line_block(line, styles) for line in content.lines],
    ]
    if any(line.decision_code in _APPROVED for line in content.lines):
        story += [
            _p("What an approval means", styles["heading"]),
            _p(
                "The service is approved as medically necessary for the dates shown. Schedule it within "
                "those dates; after the last date a new request is needed. Payment still depends on the "
                "member's coverage on the day of service and on the plan's benefits.",
                styles["body"],
            ),
        ]
    if content.has_denial:
        story += _denial_section(content, styles)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8.5)
        canvas.setFillColor(colors.HexColor("#444444"))
        canvas.drawString(
            inch,
            0.55 * inch,
            "Questions about this letter: sign in to the Precert portal and open the "
            "order, or call the number on the member's ID card.",
        )
        canvas.drawRightString(
            LETTER[0] - inch, 0.38 * inch, f"Order {content.order_number} - page {doc.page}"
        )
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _denial_section(content: LetterContent, styles: dict[str, ParagraphStyle]) -> list:
    you = "your doctor" if content.for_member else "you"
    story = []
    if content.alternate_sites:
        story += [
            _p("Where the exam can be done instead", styles["heading"]),
            _p(
                "The hospital setting was not approved. These in-network sites outside a hospital can do "
                "the exam (quality score and distance from the member's home):",
                styles["body"],
            ),
            _block(list(content.alternate_sites), styles["body"]),
        ]
    story += [
        _p("If you disagree with a decision", styles["heading"]),
        _p(f"A physician reviewer made this decision on {_day(content.denial_date)}.", styles["body"]),
        _p("1. Reconsideration by our physician reviewer", styles["heading"]),
        _p(
            f"The ordering provider ({you}) can ask us to look at the decision again and send any new "
            f"information, within {RECONSIDERATION_DAYS} calendar days of the denial: by "
            f"{_day(content.reconsideration_deadline)}. Ask through the order in the Precert portal or by "
            "phone. The ordering physician can also ask to talk with our physician reviewer (peer-to-peer).",
            styles["body"],
        ),
        _p("2. Appeal to the health plan", styles["heading"]),
        _p(content.appeal_route, styles["body"]),
        _p(f"Deadline to appeal: {content.appeal_deadline}.", styles["body"]),
        _p("Asking for a reconsideration does not change the appeal deadline.", styles["body"]),
    ]
    return story


# --- building letters from the database ---


def _latest_determination(session: Session, line_id: int) -> Determination | None:
    return session.exec(
        select(Determination)
        .where(Determination.order_line_id == line_id)
        .order_by(col(Determination.id).desc())
    ).first()


def _letter_lines(session: Session, order: Order) -> tuple[tuple[LetterLine, ...], list[Determination]]:
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.line_number))
    ).all()
    built, decisions = [], []
    for line in lines:
        decision = _latest_determination(session, id_of(line))
        if decision is not None:
            decisions.append(decision)
        code = LineDecision(line.decision)
        approved = code in _APPROVED and decision is not None
        built.append(
            LetterLine(
                code=line.code,
                description=line.description or line.code,
                decision=DECISION_LABELS.get(code, code.label),
                decision_code=code.value,
                reason=decision.reason if decision else "",
                guideline_citation=decision.guideline_citation if decision else "",
                valid_from=decision.valid_from if approved and decision is not None else None,
                valid_until=decision.valid_until if approved and decision is not None else None,
                quantity=line.quantity,
                approved_quantity=decision.approved_quantity if decision else None,
                reason_code=decision.reason_code if decision else "",
                guideline_version=decision.guideline_version if decision else None,
            )
        )
    return tuple(built), decisions


def _utc_date(value: datetime) -> date:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).date()


def _member_address(member: Member) -> tuple[str, ...]:
    return (member.address_line, f"{member.city}, {member.state} {member.postal_code}")


def _provider_address(order: Order, provider: Provider | None) -> tuple[str, ...]:
    lines: list[str] = []
    if order.letter_address:
        lines.append(order.letter_address)
    elif provider is not None:
        lines += [provider.address_line, f"{provider.city}, {provider.state} {provider.postal_code}"]
    if order.letter_fax:
        lines.append(f"Fax: {order.letter_fax}")
    return tuple(lines)


def build_letter_contents(
    session: Session, *, order_id: int, today: date | None = None
) -> tuple[LetterContent, ...]:
    """The provider's and the member's letter for the order's current decisions."""
    order = session.get(Order, order_id)
    if order is None or not order.order_number or order.member_id is None:
        raise OrderNotFound(str(order_id))
    member = get_existing(session, Member, order.member_id)
    plan = get_existing(session, HealthPlan, order.plan_id)
    provider = session.get(Provider, order.ordering_provider_id) if order.ordering_provider_id else None
    letter_date = today or clock.today()
    lines, decisions = _letter_lines(session, order)
    denials = [d for d in decisions if d.decision in ADVERSE]
    denial_date = max(_utc_date(d.decided_at) for d in denials) if denials else None
    route, deadline = appeal_terms(
        member.line_of_business,
        plan_name=plan.name,
        letter_date=letter_date,
        contact=letter_contact_on(session, plan_id=id_of(plan), on=letter_date),
    )
    provider_name = f"{provider.first_name} {provider.last_name}" if provider else "Ordering provider"
    member_name = f"{member.first_name} {member.last_name}"
    to_provider = LetterContent(
        recipient=RECIPIENT_PROVIDER,
        recipient_name=provider_name,
        recipient_address=_provider_address(order, provider),
        order_number=order.order_number,
        member_name=member_name,
        member_id=member.member_number,
        plan_name=plan.name,
        service=get_program(order.program).label,  # the program catalogue (portal_app/programs/)
        lines=lines,
        letter_date=letter_date,
        ordering_provider=provider_name if provider else "",
        denial_date=denial_date,
        reconsideration_deadline=reconsideration_deadline(denial_date) if denial_date else None,
        appeal_route=route if denial_date else "",
        appeal_deadline=deadline if denial_date else "",
        alternate_sites=denied_setting_alternatives(session, order),
    )
    to_member = replace(
        to_provider,
        recipient=RECIPIENT_MEMBER,
        recipient_name=member_name,
        recipient_address=_member_address(member),
    )
    return to_provider, to_member


def _letter_author(session: Session, order: Order) -> int:
    """Who a letter document is recorded as stored by: the reviewer of the latest decision, else the
    user who last changed the order (the submitter for a rules-engine decision)."""
    latest = session.exec(
        select(Determination.decided_by_user_id)
        .join(OrderLine, col(OrderLine.id) == Determination.order_line_id)
        .where(OrderLine.order_id == order.id, col(Determination.decided_by_user_id).is_not(None))
        .order_by(col(Determination.id).desc())
    ).first()
    return latest or order.updated_by_id


def _store_letter(session: Session, order: Order, content: LetterContent, author_id: int) -> Document:
    return _store_pdf(
        session, order, render_letter_pdf(content), author_id, _letter_file_name(order, "decision", content)
    )


def _letter_file_name(order: Order, label: str, content: LetterContent | NoticeContent) -> str:
    suffix = "provider" if content.recipient == RECIPIENT_PROVIDER else "member"
    return f"{order.order_number}-{label}-{content.letter_date.isoformat()}-{suffix}.pdf"


def _store_pdf(session: Session, order: Order, pdf: bytes, author_id: int, filename: str) -> Document:
    """A letter's PDF, encrypted at rest, as one of the order's documents."""
    stored_name, key_id = file_store.store(pdf, extension=".pdf")
    document = Document(
        order_id=id_of(order),
        uploaded_by_id=author_id,
        kind="letter",
        filename=filename,
        media_type="application/pdf",
        size_bytes=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
        storage_path=stored_name,
        encryption_key_id=key_id,
    )
    session.add(document)
    return document


def create_determination_letters(session: Session, *, order_id: int, today: date | None = None) -> list[int]:
    """Render and store the provider's and the member's letter for the order's current decisions.

    Adds two Document rows (kind "letter"), the provider's letter as a fax to the order's letter fax
    (held in the fax outbox while that number is not confirmed for PHI), one outbox message telling the
    ordering office the letter is ready and where the fax copy stands, and a "letter.created" audit
    event. It flushes to get the document ids but does NOT commit: call it inside the decision's own
    transaction and commit there, so the decision and its letters are saved together. (The PDF files
    are written at once; if the caller rolls back, they stay on disk unreferenced.) Returns the new
    document ids, provider's letter first.
    """
    order = session.get(Order, order_id)
    if order is None:
        raise OrderNotFound(str(order_id))
    contents = build_letter_contents(session, order_id=order_id, today=today)
    author_id = _letter_author(session, order)
    documents = [_store_letter(session, order, content, author_id) for content in contents]
    session.flush()
    fax = None
    if len(normalize_fax(order.letter_fax)) >= 7:  # a number, not "none given"
        fax = queue_fax(
            session,
            to_number=order.letter_fax,
            order_id=order.id,
            document_id=documents[0].id,
            subject=f"Prior authorization decision letter for order {order.order_number}",
        )
    _notify_office(session, order, contents[0], fax)
    audit.record(
        session,
        action="letter.created",
        user_id=None,
        record_type="order",
        record_id=id_of(order),
        detail={"documents": [d.id for d in documents], "sha256": [d.sha256 for d in documents]},
    )
    return [id_of(d) for d in documents]


def _notify_office(
    session: Session, order: Order, content: LetterContent, fax: OutboxFax | None = None
) -> None:
    """Tell the ordering office the letter is ready and where its fax copy stands. No PHI in the mail:
    the portal shows the letter."""
    creator = session.get(User, order.created_by_id)
    if creator is None or not mails_immediately(creator):
        return  # "off" or a daily digest: the decision's notification covers it
    copies = []
    if fax is not None and fax.status == OutboxFaxStatus.RELEASED:
        copies.append(f"A copy was faxed to {order.letter_fax}.")
    elif fax is not None:
        copies.append(
            f"The fax copy to {order.letter_fax} is held: that number has not been confirmed for letters "
            "with patient information. Open Fax numbers in the Precert portal to confirm it; the copy is "
            "faxed once support has confirmed the number."
        )
    if order.letter_address:
        copies.append(f"A copy goes to the letter address on the order ({order.letter_address}).")
    copy = f" {' '.join(copies)}" if copies else ""
    send_mail(
        session,
        to=creator.email,
        subject=f"Decision letter ready for order {order.order_number}",
        kind=MailKind.DECISION_LETTER,
        body=(
            f"The decision letter for prior authorization order {order.order_number} is ready.{copy}\n\nSign "
            "in to the Precert portal and open the order to read it. The member receives their own letter.\n"
        ),
    )


# --- reading a stored file ---


@dataclass(frozen=True)
class StoredDocument:
    filename: str
    media_type: str  # found by content sniffing when the file was stored, never from its name
    content: bytes


def letter_file(session: Session, *, actor: Actor, document_id: int) -> tuple[str, bytes]:
    """(filename, bytes) of a letter or any other document of an order ``actor`` may read."""
    found = document_file(session, actor=actor, document_id=document_id)
    return found.filename, found.content


def document_file(session: Session, *, actor: Actor, document_id: int) -> StoredDocument:
    """A letter or any other document of an order ``actor`` may read, decrypted.

    Every attempt is audited; a missing document and one the actor may not see both raise
    OrderNotFound, so the two cannot be told apart.
    """
    document = session.get(Document, document_id)
    order = session.get(Order, document.order_id) if document else None
    allowed = order is not None and may_read_order(session, actor, order)
    audit.record(
        session,
        action="document.read" if allowed else "document.read_denied",
        user_id=actor.user_id,
        record_type="document",
        record_id=document_id,
        outcome=AuditOutcome.SUCCESS if allowed else AuditOutcome.DENIED,
        client_address=actor.client_address,
        detail={"order_id": order.id} if order else {},
    )
    session.commit()
    if not allowed or document is None:  # allowed only for a document's order
        raise OrderNotFound(f"document {document_id}")
    try:
        content = file_store.load(document.storage_path)
    except file_store.StoredFileError:
        logger.error("Document %s is missing from the uploads folder or does not decrypt", document.id)
        raise OrderNotFound(f"document {document_id}") from None
    if hashlib.sha256(content).hexdigest() != document.sha256:
        logger.error("Document %s does not match its recorded SHA-256", document.id)
        raise DocumentIntegrityError(f"document {document_id}")
    return StoredDocument(document.filename, document.media_type, content)


# --- notices that are not decisions (issue 24: extension of the decision time frame) ---


@dataclass(frozen=True)
class NoticeContent:
    """A notice about a request that is not a decision, e.g. that the decision time was extended."""

    title: str
    recipient: str  # RECIPIENT_PROVIDER or RECIPIENT_MEMBER
    recipient_name: str
    recipient_address: tuple[str, ...]
    order_number: str
    member_name: str
    member_id: str
    plan_name: str
    service: str
    paragraphs: tuple[str, ...]
    letter_date: date


def render_notice_pdf(content: NoticeContent) -> bytes:
    """The notice as PDF bytes; the same content always gives the same bytes."""
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=inch,
        rightMargin=inch,
        topMargin=0.8 * inch,
        bottomMargin=0.8 * inch,
        title=f"{content.title} {content.order_number}",
        author="Precert",
        invariant=1,
    )
    story = [
        _p(content.title, styles["title"]),
        _p(f"Date: {_day(content.letter_date)}", styles["body"]),
        Spacer(1, 8),
        _block([content.recipient_name, *content.recipient_address], styles["body"]),
        Spacer(1, 10),
        _block(
            [
                f"Order number: {content.order_number}",
                f"Member: {content.member_name} (member ID {content.member_id})",
                f"Health plan: {content.plan_name}",
                f"Service: {content.service}",
            ],
            styles["body"],
        ),
        Spacer(1, 8),
        *[_p(text, styles["body"]) for text in content.paragraphs],
    ]
    document.build(story)
    return buffer.getvalue()


def create_notice_letters(
    session: Session,
    *,
    order_id: int,
    title: str,
    file_label: str,
    provider_paragraphs: tuple[str, ...],
    member_paragraphs: tuple[str, ...],
    author_id: int,
    today: date | None = None,
) -> list[int]:
    """Render and store a notice to the ordering provider and one to the member (documents of kind
    "letter", like determination letters), and tell the ordering office by e-mail, without PHI, that
    it is ready. Does not commit (the caller's transaction does). Returns the document ids."""
    order = session.get(Order, order_id)
    if order is None or not order.order_number or order.member_id is None:
        raise OrderNotFound(str(order_id))
    member = get_existing(session, Member, order.member_id)
    plan = get_existing(session, HealthPlan, order.plan_id)
    provider = session.get(Provider, order.ordering_provider_id) if order.ordering_provider_id else None
    letter_date = today or clock.today()
    member_name = f"{member.first_name} {member.last_name}"
    to_provider = NoticeContent(
        title=title,
        recipient=RECIPIENT_PROVIDER,
        recipient_name=f"{provider.first_name} {provider.last_name}" if provider else "Ordering provider",
        recipient_address=_provider_address(order, provider),
        order_number=order.order_number,
        member_name=member_name,
        member_id=member.member_number,
        plan_name=plan.name,
        service=get_program(order.program).label,
        paragraphs=provider_paragraphs,
        letter_date=letter_date,
    )
    to_member = replace(
        to_provider,
        recipient=RECIPIENT_MEMBER,
        recipient_name=member_name,
        recipient_address=_member_address(member),
        paragraphs=member_paragraphs,
    )
    ids = []
    for content in (to_provider, to_member):
        file_name = _letter_file_name(order, file_label, content)
        document = _store_pdf(session, order, render_notice_pdf(content), author_id, file_name)
        session.flush()
        ids.append(id_of(document))
    creator = session.get(User, order.created_by_id)
    if creator is not None:
        send_mail(
            session,
            to=creator.email,
            subject=f"{title} for order {order.order_number}",
            kind=MailKind.NOTICE,
            body=(
                f"A notice about prior authorization order {order.order_number} is ready: "
                f"{title.lower()}.\n\n"
                "Sign in to the Precert portal and open the order to read it. The member receives their own "
                "notice.\n"
            ),
        )
    audit.record(
        session,
        action="letter.created",
        user_id=author_id,
        record_type="order",
        record_id=id_of(order),
        detail={"documents": ids, "notice": file_label},
    )
    return ids
