"""A plan's set-up, managed by support on screen: its name and lines of business, the programs it
delegates (for all its lines of business or one) from a date and until one, how long approvals
last under each delegation, and the contact details its letters give from a date.

A change takes effect on its date: a delegation runs from ``delegated_from`` to
``delegated_until``; changing its validity days from a date ends the current row the day before
and starts a new one; letters use the contact details in force on the letter's date. Each change
is audited. The readers at the end are what the rest of the portal asks (the wizard's member step,
approval windows, letters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from portal_app.domain.demographics import format_number, is_us_number, normalize_fax
from portal_app.domain.enums import LineOfBusiness, Program
from portal_app.domain.programs import get_program
from portal_app.models import HealthPlan, Member, PlanLetterContact, PlanLineOfBusiness, PlanProgram
from portal_app.models.base import id_of
from portal_app.services import audit
from portal_app.services.authz import Actor, require

ALL_LINES = ""
MAX_VALIDITY_DAYS = 730
MAX_PEND_BUSINESS_DAYS = 30
MAX_PEND_URGENT_HOURS = 168
_CODE = re.compile(r"^[A-Z0-9]{2,20}$")


class PlanSetupRefused(ValueError):
    """The change was not made; the message says why."""


@dataclass(frozen=True)
class PlanSummary:
    plan_id: int
    code: str
    name: str
    lines: str
    programs: str


@dataclass(frozen=True)
class DelegationRow:
    delegation_id: int
    program: str
    program_label: str
    line_of_business: str
    line_label: str
    delegated_from: str
    delegated_until: str
    validity_days: str
    pend_clock: str
    ended: bool


@dataclass(frozen=True)
class ContactRow:
    effective_from: str
    appeals_address: str
    phone: str
    fax: str


@dataclass(frozen=True)
class PlanDetail:
    plan_id: int
    code: str
    name: str
    standard_review_days: int
    lines: tuple[str, ...]
    delegations: tuple[DelegationRow, ...]
    contacts: tuple[ContactRow, ...]


def _record(session: Session, actor: Actor, plan: HealthPlan, action: str, **detail) -> None:
    audit.record(
        session,
        action=action,
        user_id=actor.user_id,
        record_type="plan",
        record_id=id_of(plan),
        client_address=actor.client_address,
        detail={key: str(value) for key, value in detail.items()},
    )


def _plan(session: Session, actor: Actor, plan_id: int) -> HealthPlan:
    require(session, actor, "plans.manage", record=f"plan:{plan_id}")
    plan = session.get(HealthPlan, plan_id)
    if plan is None:
        raise PlanSetupRefused("No such plan.")
    return plan


def _lines_of(session: Session, plan_id: int) -> list[str]:
    return sorted(
        session.exec(
            select(PlanLineOfBusiness.line_of_business).where(PlanLineOfBusiness.plan_id == plan_id)
        ).all()
    )


def list_plans(session: Session, *, actor: Actor) -> list[PlanSummary]:
    require(session, actor, "plans.manage")
    plans = session.exec(select(HealthPlan).order_by(HealthPlan.code)).all()
    summaries = []
    for plan in plans:
        programs = sorted({Program(r.program).label for r in _delegations(session, id_of(plan))})
        summaries.append(
            PlanSummary(
                plan_id=id_of(plan),
                code=plan.code,
                name=plan.name,
                lines=", ".join(LineOfBusiness(line).label for line in _lines_of(session, id_of(plan))),
                programs=", ".join(programs),
            )
        )
    return summaries


def _delegations(session: Session, plan_id: int) -> list[PlanProgram]:
    return list(
        session.exec(
            select(PlanProgram)
            .where(PlanProgram.plan_id == plan_id)
            .order_by(
                col(PlanProgram.program), col(PlanProgram.line_of_business), col(PlanProgram.delegated_from)
            )
        ).all()
    )


def plan_detail(session: Session, *, actor: Actor, plan_id: int, today: date) -> PlanDetail:
    plan = _plan(session, actor, plan_id)
    contacts = session.exec(
        select(PlanLetterContact)
        .where(PlanLetterContact.plan_id == plan_id)
        .order_by(col(PlanLetterContact.effective_from).desc())
    ).all()
    return PlanDetail(
        plan_id=id_of(plan),
        code=plan.code,
        name=plan.name,
        standard_review_days=plan.standard_review_days,
        lines=tuple(_lines_of(session, plan_id)),
        delegations=tuple(
            DelegationRow(
                delegation_id=id_of(row),
                program=row.program,
                program_label=Program(row.program).label,
                line_of_business=row.line_of_business,
                line_label=LineOfBusiness(row.line_of_business).label if row.line_of_business else "All",
                delegated_from=row.delegated_from.isoformat(),
                delegated_until=row.delegated_until.isoformat() if row.delegated_until else "",
                validity_days=str(row.validity_days) if row.validity_days else "Program's usual",
                pend_clock=_pend_wording(row),
                ended=row.delegated_until is not None and row.delegated_until < today,
            )
            for row in _delegations(session, plan_id)
        ),
        contacts=tuple(
            ContactRow(
                effective_from=c.effective_from.isoformat(),
                appeals_address=c.appeals_address,
                phone=c.phone,
                fax=c.fax,
            )
            for c in contacts
        ),
    )


def _pend_wording(row: PlanProgram) -> str:
    if row.pend_business_days is None and row.pend_urgent_hours is None:
        return "Plan's usual"
    days = f"{row.pend_business_days} business days" if row.pend_business_days else "plan's days"
    hours = f"{row.pend_urgent_hours} hours urgent" if row.pend_urgent_hours else "plan's urgent hours"
    return f"{days}, {hours}"


def _check_pend_clock(business_days: int | None, urgent_hours: int | None) -> None:
    if business_days is not None and not 1 <= business_days <= MAX_PEND_BUSINESS_DAYS:
        raise PlanSetupRefused(
            f"Pend clock: a whole number of business days from 1 to {MAX_PEND_BUSINESS_DAYS}."
        )
    if urgent_hours is not None and not 1 <= urgent_hours <= MAX_PEND_URGENT_HOURS:
        raise PlanSetupRefused(
            f"Pend clock when urgent: a whole number of hours from 1 to {MAX_PEND_URGENT_HOURS}."
        )


def _clean_lines(lines: list[str]) -> list[LineOfBusiness]:
    known = {line.value: line for line in LineOfBusiness}
    chosen = [known[line] for line in dict.fromkeys(lines) if line in known]
    if not chosen:
        raise PlanSetupRefused("Choose at least one line of business.")
    return chosen


def create_plan(session: Session, *, actor: Actor, code: str, name: str, lines: list[str]) -> int:
    """A new plan with its lines of business (it delegates nothing until a program is added)."""
    require(session, actor, "plans.manage")
    code = code.strip().upper()
    name = " ".join(name.split())
    if not _CODE.match(code):
        raise PlanSetupRefused("A plan code is 2 to 20 letters or digits, for example EVG.")
    if not name or len(name) > 200:
        raise PlanSetupRefused("Give the plan's name (at most 200 characters).")
    if session.exec(select(HealthPlan).where(HealthPlan.code == code)).first() is not None:
        raise PlanSetupRefused(f"A plan with the code {code} exists already.")
    chosen = _clean_lines(lines)
    plan = HealthPlan(code=code, name=name)
    session.add(plan)
    session.flush()
    for line in chosen:
        session.add(PlanLineOfBusiness(plan_id=id_of(plan), line_of_business=line))
    _record(session, actor, plan, "plan.created", code=code, lines=",".join(chosen))
    session.commit()
    return id_of(plan)


def save_plan(
    session: Session, *, actor: Actor, plan_id: int, name: str, standard_review_days: int, lines: list[str]
) -> None:
    """The plan's name, days for a standard decision, and lines of business."""
    plan = _plan(session, actor, plan_id)
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise PlanSetupRefused("Give the plan's name (at most 200 characters).")
    if not 1 <= standard_review_days <= 30:
        raise PlanSetupRefused("Days for a standard decision: a whole number from 1 to 30.")
    chosen = set(_clean_lines(lines))
    before = set(_lines_of(session, plan_id))
    for line in before - chosen:
        members = session.exec(
            select(func.count())
            .select_from(Member)
            .where(Member.plan_id == plan_id, Member.line_of_business == line)
        ).one()
        if members:
            raise PlanSetupRefused(
                f"{LineOfBusiness(line).label} cannot be removed: {members} member(s) of the plan have it."
            )
        session.delete(session.get(PlanLineOfBusiness, (plan_id, line)))
    for line in chosen - before:
        session.add(PlanLineOfBusiness(plan_id=plan_id, line_of_business=line))
    changes: dict[str, object] = {}
    if plan.name != name:
        changes["name"] = name
    if plan.standard_review_days != standard_review_days:
        changes["standard_review_days"] = standard_review_days
    if before != chosen:
        changes["lines"] = ",".join(sorted(chosen))
    plan.name, plan.standard_review_days = name, standard_review_days
    session.add(plan)
    if changes:
        _record(session, actor, plan, "plan.changed", **changes)
    session.commit()


def _check_validity(program: Program, validity_days: int | None) -> None:
    if validity_days is None:
        return
    if get_program(program).validity_end is not None:
        raise PlanSetupRefused(
            f"Approvals of {program.label} last by a rule of their own; they have no number of days to set."
        )
    if not 1 <= validity_days <= MAX_VALIDITY_DAYS:
        raise PlanSetupRefused(f"Validity: a whole number of days from 1 to {MAX_VALIDITY_DAYS}.")


def add_delegation(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    program: str,
    line_of_business: str,
    delegated_from: date,
    delegated_until: date | None,
    validity_days: int | None,
    pend_business_days: int | None = None,
    pend_urgent_hours: int | None = None,
) -> int:
    """The plan delegates ``program`` (for one line of business, or all) from a date, with its own
    validity days and pend clock where given (else the program's and the plan's usual)."""
    plan = _plan(session, actor, plan_id)
    if program not in {p.value for p in Program}:
        raise PlanSetupRefused("Choose a program.")
    chosen = Program(program)
    if line_of_business and line_of_business not in _lines_of(session, plan_id):
        raise PlanSetupRefused("Choose one of the plan's lines of business, or all of them.")
    if delegated_until is not None and delegated_until < delegated_from:
        raise PlanSetupRefused("The delegation cannot end before it starts.")
    _check_validity(chosen, validity_days)
    _check_pend_clock(pend_business_days, pend_urgent_hours)
    for row in _delegations(session, plan_id):
        if (
            row.program == chosen
            and row.line_of_business == line_of_business
            and _overlap(row.delegated_from, row.delegated_until, delegated_from, delegated_until)
        ):
            raise PlanSetupRefused(
                f"The plan already delegates {chosen.label} for these lines from "
                f"{row.delegated_from:%m/%d/%Y}; end it first, or change its validity from a date."
            )
    row = PlanProgram(
        plan_id=plan_id,
        program=chosen,
        line_of_business=line_of_business,
        delegated_from=delegated_from,
        delegated_until=delegated_until,
        validity_days=validity_days,
        pend_business_days=pend_business_days,
        pend_urgent_hours=pend_urgent_hours,
    )
    session.add(row)
    session.flush()
    _record(
        session,
        actor,
        plan,
        "plan.program_delegated",
        program=program,
        line_of_business=line_of_business or "all",
        delegated_from=delegated_from,
        delegated_until=delegated_until or "",
        validity_days=validity_days or "",
        pend_business_days=pend_business_days or "",
        pend_urgent_hours=pend_urgent_hours or "",
    )
    session.commit()
    return id_of(row)


def _overlap(a_from: date, a_until: date | None, b_from: date, b_until: date | None) -> bool:
    return (a_until is None or b_from <= a_until) and (b_until is None or a_from <= b_until)


def _delegation(session: Session, actor: Actor, delegation_id: int) -> tuple[HealthPlan, PlanProgram]:
    require(session, actor, "plans.manage", record=f"plan_program:{delegation_id}")
    row = session.get(PlanProgram, delegation_id)
    if row is None:
        raise PlanSetupRefused("No such delegation.")
    return _plan(session, actor, row.plan_id), row


def end_delegation(session: Session, *, actor: Actor, delegation_id: int, last_day: date) -> None:
    """The delegation ends after ``last_day`` (requests for later dates of service no longer offer it)."""
    plan, row = _delegation(session, actor, delegation_id)
    if last_day < row.delegated_from - timedelta(days=1):
        raise PlanSetupRefused("The last day cannot be before the delegation starts.")
    before = row.delegated_until
    row.delegated_until = last_day
    session.add(row)
    _record(
        session,
        actor,
        plan,
        "plan.program_ended",
        program=row.program,
        last_day=last_day,
        before=before or "",
    )
    session.commit()


def change_validity(
    session: Session, *, actor: Actor, delegation_id: int, validity_days: int | None, effective: date
) -> int:
    """Approvals for dates of service from ``effective`` on last ``validity_days`` (None: the program's
    usual length): the delegation ends the day before and a new one with the new days starts then."""
    plan, row = _delegation(session, actor, delegation_id)
    _check_validity(Program(row.program), validity_days)
    if effective <= row.delegated_from:
        raise PlanSetupRefused("The change must take effect after the delegation starts.")
    if row.delegated_until is not None and effective > row.delegated_until:
        raise PlanSetupRefused("The delegation has ended by then.")
    new = PlanProgram(
        plan_id=row.plan_id,
        program=row.program,
        line_of_business=row.line_of_business,
        delegated_from=effective,
        delegated_until=row.delegated_until,
        validity_days=validity_days,
        pend_business_days=row.pend_business_days,
        pend_urgent_hours=row.pend_urgent_hours,
    )
    row.delegated_until = effective - timedelta(days=1)
    session.add(row)
    session.add(new)
    session.flush()
    _record(
        session,
        actor,
        plan,
        "plan.validity_changed",
        program=row.program,
        effective=effective,
        before=row.validity_days or "",
        after=validity_days or "",
    )
    session.commit()
    return id_of(new)


def add_letter_contact(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    effective_from: date,
    appeals_address: str,
    phone: str,
    fax: str,
) -> None:
    """The address and numbers the plan's letters give for appeals, from a date on."""
    plan = _plan(session, actor, plan_id)
    address = " ".join(appeals_address.split())
    if not address or len(address) > 300:
        raise PlanSetupRefused("Give the address appeals are sent to (at most 300 characters).")
    digits = normalize_fax(phone)
    if not is_us_number(digits):
        raise PlanSetupRefused("Give the plan's 10-digit phone number, for example 312-555-0142.")
    fax_digits = normalize_fax(fax)
    if fax.strip() and not is_us_number(fax_digits):
        raise PlanSetupRefused("Give the fax's 10 digits, or leave it empty.")
    existing = session.exec(
        select(PlanLetterContact).where(
            PlanLetterContact.plan_id == plan_id, PlanLetterContact.effective_from == effective_from
        )
    ).first()
    contact = existing or PlanLetterContact(
        plan_id=plan_id, effective_from=effective_from, appeals_address="", phone=""
    )
    contact.appeals_address = address
    contact.phone = format_number(digits)
    contact.fax = format_number(fax_digits) if fax.strip() else ""
    contact.created_by_id = actor.user_id
    session.add(contact)
    _record(session, actor, plan, "plan.letter_contact_set", effective_from=effective_from)
    session.commit()


# --- readers for the rest of the portal ---


def delegation_in_force(
    session: Session, *, plan_id: int, program: str, line_of_business: str, on: date
) -> PlanProgram | None:
    """The plan's delegation of ``program`` for that line of business on ``on`` (one for the line
    itself before one for all lines), or None when the plan does not delegate it then."""
    rows = session.exec(
        select(PlanProgram).where(
            PlanProgram.plan_id == plan_id,
            PlanProgram.program == program,
            col(PlanProgram.line_of_business).in_([line_of_business, ALL_LINES]),
            PlanProgram.delegated_from <= on,
        )
    ).all()
    current = [r for r in rows if r.delegated_until is None or on <= r.delegated_until]
    current.sort(key=lambda r: (r.line_of_business == ALL_LINES, -r.delegated_from.toordinal()))
    return current[0] if current else None


def plan_validity_days(
    session: Session, *, plan_id: int, program: str, member_id: int | None, on: date
) -> int | None:
    """The validity days the plan set for this program (for the member's line of business) on the
    date of service, or None for the program's usual length."""
    if get_program(program).validity_end is not None:
        return None
    member = session.get(Member, member_id) if member_id else None
    row = delegation_in_force(
        session,
        plan_id=plan_id,
        program=program,
        line_of_business=member.line_of_business if member else ALL_LINES,
        on=on,
    )
    return row.validity_days if row else None


def pend_clock_settings(
    session: Session, *, plan: HealthPlan, program: str, member_id: int | None, on: date
) -> tuple[int, int]:
    """(business days, urgent hours) a pended case of this program waits for the office: the
    delegation's own setting for the member's line of business on the date of service, else the plan's."""
    member = session.get(Member, member_id) if member_id else None
    row = delegation_in_force(
        session,
        plan_id=id_of(plan),
        program=program,
        line_of_business=member.line_of_business if member else ALL_LINES,
        on=on,
    )
    days = row.pend_business_days if row and row.pend_business_days else plan.pend_business_days
    hours = row.pend_urgent_hours if row and row.pend_urgent_hours else plan.pend_urgent_hours
    return days, hours


def letter_contact_on(session: Session, *, plan_id: int, on: date) -> PlanLetterContact | None:
    """The contact details the plan's letters give on ``on`` (the newest in force)."""
    return session.exec(
        select(PlanLetterContact)
        .where(PlanLetterContact.plan_id == plan_id, PlanLetterContact.effective_from <= on)
        .order_by(col(PlanLetterContact.effective_from).desc())
    ).first()
