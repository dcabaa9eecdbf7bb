"""Entering an order: a draft saved at every wizard step, then one submit.

Each step function checks that the actor may edit the draft, validates its own
answers, saves them (bumping the draft's version) and returns the problems per
field, so a failed step loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from portal_app import clock
from portal_app.domain.calendar import retro_request_problem
from portal_app.domain.cost_levels import level_label
from portal_app.domain.enums import (
    FacilityType,
    LineDecision,
    LineOfBusiness,
    OrderStatus,
    Program,
    Urgency,
)
from portal_app.domain.facility_scores import scored_modality_for_exam
from portal_app.domain.program_types import ManagedCode, ProgramDefinition
from portal_app.domain.programs import age_on, get_program
from portal_app.domain.site_ranking import alternate_site_types, distance_label
from portal_app.domain.validation import plain_errors
from portal_app.models import (
    Facility,
    HealthPlan,
    Member,
    NetworkParticipation,
    Order,
    OrderDiagnosis,
    OrderLine,
    PlanProgram,
    Practice,
    Provider,
)
from portal_app.models.base import get_existing, id_of
from portal_app.models.orders import service_date_of
from portal_app.reference.icd10 import get_diagnosis
from portal_app.services import audit, rate_limits
from portal_app.services.authz import Actor, require
from portal_app.services.code_lists import program_for_coverage
from portal_app.services.cost_levels import levels_on
from portal_app.services.coverage_requirements import requirement_for
from portal_app.services.network import in_network_among, in_network_ids, in_network_on, is_in_network
from portal_app.services.party_search import facility_filter, name_order, provider_filter
from portal_app.services.plan_setup import delegation_in_force, plan_validity_days
from portal_app.services.program_routing import program_for
from portal_app.services.site_ranking import RankedFacility, nearby, rank_facilities, scores_label

MAX_CODES = 20  # a request's lines (low-dose-rate brachytherapy alone has 11 codes)
MAX_DIAGNOSES = 12


class DraftNotFound(LookupError):
    """No such draft, or not one this actor may edit."""


@dataclass(frozen=True)
class StepResult:
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _practice_tax_ids(session: Session, actor: Actor) -> set[str]:
    if not actor.practice_ids:
        return set()
    rows = session.exec(select(Practice.tax_id).where(col(Practice.id).in_(actor.practice_ids))).all()
    return set(rows)


def editable_draft(session: Session, actor: Actor, order_id: int) -> Order:
    """The draft ``order_id`` if ``actor`` entered it for one of their practices."""
    require(session, actor, "order.create", record=f"order:{order_id}")
    order = session.get(Order, order_id)
    if (
        order is None
        or order.status != OrderStatus.DRAFT
        or order.practice_id not in actor.practice_ids
        or order.created_by_id != actor.user_id
    ):
        raise DraftNotFound(order_id)
    return order


def _touch(session: Session, order: Order, actor: Actor, step: int) -> None:
    order.updated_by_id = actor.user_id
    order.updated_at = clock.now()
    order.wizard_step = max(order.wizard_step, step)
    session.add(order)
    session.commit()


# --- step 1: plan and program ---


@dataclass(frozen=True)
class PlanChoice:
    plan_id: int
    code: str
    name: str


def member_sex(session: Session, *, actor: Actor, order_id: int) -> str:
    """The sex of the member on draft ``order_id`` ("F", "M", "U"; "" without a member).

    Read through the draft's access check: raises ``DraftNotFound`` as ``editable_draft`` does.
    """
    order = editable_draft(session, actor, order_id)
    member = session.get(Member, order.member_id) if order.member_id else None
    return str(member.sex) if member else ""


def plans_for(session: Session, *, actor: Actor, on: date | None = None) -> list[PlanChoice]:
    """Plans the actor's practices work with: a provider of theirs is in the plan's network on ``on``
    (today when not given; services/network.py)."""
    require(session, actor, "order.create")
    tax_ids = _practice_tax_ids(session, actor)
    if not tax_ids:
        return []
    plan_ids = session.exec(
        select(NetworkParticipation.plan_id)
        .join(Provider, col(Provider.id) == NetworkParticipation.provider_id)
        .where(col(Provider.tax_id).in_(tax_ids), in_network_on(on or clock.today()))
        .distinct()
    ).all()
    plans = session.exec(
        select(HealthPlan).where(col(HealthPlan.id).in_(plan_ids)).order_by(HealthPlan.name)
    ).all()
    return [PlanChoice(id_of(p), p.code, p.name) for p in plans]


def programs_for(session: Session, *, plan_id: int, on: date) -> list[Program]:
    """Programs the plan has delegated on ``on`` (and that Precert has built)."""
    rows = session.exec(select(PlanProgram).where(PlanProgram.plan_id == plan_id)).all()
    delegated = {
        Program(r.program)
        for r in rows
        if r.delegated_from <= on and (r.delegated_until is None or on <= r.delegated_until)
    }
    available = []
    for program in Program:
        if program in delegated:
            try:
                get_program(program)
            except KeyError:
                continue
            available.append(program)
    return available


def start_draft(
    session: Session, *, actor: Actor, plan_id: int, program: str, service_date: date | None, today: date
) -> tuple[int | None, StepResult]:
    """Open a draft for a plan the practice works with on the date of service, a program it delegates
    on that date, and that date."""
    require(session, actor, "order.create")
    errors = {}
    if plan_id not in {p.plan_id for p in plans_for(session, actor=actor, on=service_date or today)}:
        errors["plan"] = "Choose one of the health plans your practice works with on the date of service."
    if service_date is None:
        errors["service_date"] = "Enter the planned date of service."
    elif problem := retro_request_problem(service_date, today):
        errors["service_date"] = problem
    elif "plan" not in errors and program not in {
        p.value for p in programs_for(session, plan_id=plan_id, on=service_date)
    }:
        errors["program"] = "Choose a program the plan has delegated on the date of service."
    if errors:
        return None, StepResult(errors)
    order = Order(
        program=Program(program),
        plan_id=plan_id,
        practice_id=actor.practice_ids[0],
        service_start=service_date,
        status=OrderStatus.DRAFT,
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
        wizard_step=1,
    )
    session.add(order)
    session.flush()
    audit.record(
        session,
        action="order.draft_started",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
    )
    session.commit()
    return order.id, StepResult()


def my_drafts(session: Session, *, actor: Actor) -> list[tuple[int, str, str, datetime]]:
    """(id, program label, plan name, last change) of the actor's open drafts, newest first."""
    require(session, actor, "order.create")
    rows = session.exec(
        select(Order, HealthPlan.name)
        .join(HealthPlan, col(HealthPlan.id) == Order.plan_id)
        .where(Order.created_by_id == actor.user_id, Order.status == OrderStatus.DRAFT)
        .order_by(col(Order.updated_at).desc())
        .limit(20)
    ).all()
    return [(id_of(o), Program(o.program).label, name, o.updated_at) for o, name in rows]


# --- step 2: member ---


@dataclass(frozen=True)
class MemberMatch:
    member_id: int
    member_number: str
    name: str
    birth_date: str
    address: str
    eligibility: str
    plan: str = ""  # the plan's name, to cross-check with the member's ID card (seed 004)


def _member_match(member: Member, session: Session | None = None) -> MemberMatch:
    ends = member.eligibility_end.isoformat() if member.eligibility_end else "open"
    plan = session.get(HealthPlan, member.plan_id) if session is not None else None
    return MemberMatch(
        id_of(member),
        member.member_number,
        f"{member.first_name} {member.last_name}",
        member.date_of_birth.isoformat(),
        f"{member.address_line}, {member.city}, {member.state} {member.postal_code}",
        f"{member.eligibility_start.isoformat()} to {ends}",
        plan.name if plan is not None else "",
    )


MEMBER_SEARCH_CRITERIA = "Search by the member ID, or by the last name together with the date of birth."


class MemberSearchRefused(ValueError):
    """Not enough criteria for a member search; the message says what is needed."""


def _count_search(session: Session, actor: Actor, action: str) -> None:
    rate_limits.hit(
        session,
        limits={"search_user": actor.user_id, "search_client": actor.client_address},
        action=action,
        user_id=actor.user_id,
        client_address=actor.client_address,
    )


MEMBER_PAGE_SIZE = 10


def member_lookup(
    plan_id: int, *, member_number: str = "", last_name: str = "", birth_date: date | None = None
) -> SelectOfScalar[Member]:
    """The members of plan ``plan_id`` with that member ID, or with that last name (whole, case aside)
    and date of birth; ``MemberSearchRefused`` when neither is given.

    The name is compared as ``lower(last_name)``, exactly the expression of the index
    ``ix_members_plan_lower_last_name_dob`` (plan, lowered last name, birth date), so SQLite and
    PostgreSQL answer from it instead of reading the plan's members (equality also needs no LIKE
    escaping: ``%`` and ``_`` typed match only themselves). A member ID is unique per plan.
    """
    query = select(Member).where(Member.plan_id == plan_id)
    if member_number.strip():
        return query.where(Member.member_number == member_number.strip().upper())
    if last_name.strip() and birth_date:
        return query.where(
            func.lower(Member.last_name) == last_name.strip().lower(),
            Member.date_of_birth == birth_date,
        )
    raise MemberSearchRefused(MEMBER_SEARCH_CRITERIA)


def search_members(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    member_number: str = "",
    last_name: str = "",
    birth_date: date | None = None,
    page: int = 0,
    page_size: int = MEMBER_PAGE_SIZE,
) -> list[MemberMatch]:
    """One page of the members of the draft's plan by member ID, or by last name and date of birth
    (both needed; see ``member_lookup``), by first name then id.

    Too few criteria raise ``MemberSearchRefused``; every search counts against the search rate limits.
    """
    order = editable_draft(session, actor, order_id)
    query = member_lookup(
        order.plan_id, member_number=member_number, last_name=last_name, birth_date=birth_date
    )
    _count_search(session, actor, "member.search")
    members = session.exec(
        query.order_by(col(Member.first_name), col(Member.id))
        .offset(max(page, 0) * page_size)
        .limit(page_size)
    ).all()
    audit.record(
        session,
        action="member.search",
        user_id=actor.user_id,
        record_type="order",
        record_id=order_id,
        client_address=actor.client_address,
        detail={"results": len(members)},
    )
    session.commit()
    return [_member_match(m, session) for m in members]


def eligibility_problem(member: Member, on: date) -> str | None:
    if member.eligibility_start <= on and (member.eligibility_end is None or on <= member.eligibility_end):
        return None
    return (
        f"The member is not eligible on {on.isoformat()}: coverage runs {_member_match(member).eligibility}."
    )


def choose_member(
    session: Session, *, actor: Actor, order_id: int, member_id: int, confirmed: bool
) -> StepResult:
    """Attach the member once the user has confirmed name, birth date and address."""
    order = editable_draft(session, actor, order_id)
    member = session.get(Member, member_id)
    if member is None or member.plan_id != order.plan_id:
        return StepResult({"member": "Choose a member of this plan."})
    if not confirmed:
        return StepResult({"member": "Confirm the member's name, date of birth and address."})
    problem = eligibility_problem(member, service_date_of(order))  # start_draft set the date
    if problem:
        return StepResult({"member": problem})
    if (
        delegation_in_force(
            session,
            plan_id=order.plan_id,
            program=order.program,
            line_of_business=member.line_of_business,
            on=service_date_of(order),
        )
        is None
    ):
        return StepResult(
            {
                "member": f"{Program(order.program).label} is not managed for this member's coverage: the "
                f"plan does not delegate it for the member's line of business "
                f"({LineOfBusiness(member.line_of_business).label}) on the date of service."
            }
        )
    order.member_id = member.id
    order.member_confirmed = True
    _touch(session, order, actor, 2)
    return StepResult()


# --- step 3: providers ---


@dataclass(frozen=True)
class ProviderMatch:
    kind: str  # "provider" or "facility"
    id: int
    name: str
    npi: str
    detail: str  # specialty or facility type
    city: str
    in_network: bool
    address: str
    fax: str
    quality: str = ""  # imaging sites: their registered scores, or that they have none
    distance: str = ""  # from the member's home ZIP
    cost: str = ""  # the plan's relative cost level in force on the date of service, or "" (none supplied)


def _network_day(order: Order) -> date:
    """The date network status is read on for ``order``: its date of service (today before it has one)."""
    return order.service_start or clock.today()


def _provider_matches(session: Session, order: Order, providers: list[Provider]) -> list[ProviderMatch]:
    in_network = in_network_among(
        session, order.plan_id, _network_day(order), "provider", (id_of(p) for p in providers)
    )
    return [_provider_match(p, in_network=id_of(p) in in_network) for p in providers]


def _provider_match(provider: Provider, *, in_network: bool) -> ProviderMatch:
    return ProviderMatch(
        "provider",
        id_of(provider),
        f"{provider.first_name} {provider.last_name}",
        provider.npi,
        provider.specialty,
        provider.city,
        in_network,
        f"{provider.address_line}, {provider.city}, {provider.state} {provider.postal_code}",
        provider.fax,
    )


def _facility_match(facility: Facility, *, in_network: bool) -> ProviderMatch:
    return ProviderMatch(
        "facility",
        id_of(facility),
        facility.name,
        facility.npi,
        FacilityType(facility.facility_type).label,
        facility.city,
        in_network,
        f"{facility.address_line}, {facility.city}, {facility.state} {facility.postal_code}",
        facility.fax,
    )


def ordering_providers(session: Session, *, actor: Actor, order_id: int) -> list[ProviderMatch]:
    """Providers who bill under the actor's practices."""
    order = editable_draft(session, actor, order_id)
    providers = session.exec(
        select(Provider)
        .where(col(Provider.tax_id).in_(_practice_tax_ids(session, actor)))
        .order_by(Provider.last_name)
    ).all()
    return _provider_matches(session, order, list(providers))


SERVICING_PAGE_SIZE = 10


def search_servicing(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    query: str,
    page: int = 0,
    page_size: int = SERVICING_PAGE_SIZE,
) -> list[ProviderMatch]:
    """One page of the servicing facilities and providers a text finds (services/party_search.py: name,
    NPI, ZIP, specialty, city, facility type), at most ``page_size`` of each: facilities by name,
    ranked by score and distance from the member's home, then providers by name."""
    order = editable_draft(session, actor, order_id)
    text = query.strip()[:100]
    if len(text) < 2:
        return []
    _count_search(session, actor, "servicing.search")
    offset = max(page, 0) * page_size
    providers = session.exec(
        select(Provider)
        .where(provider_filter(session, text))
        .order_by(*name_order(session, text, Provider.last_name, Provider.first_name, Provider.id))
        .offset(offset)
        .limit(page_size)
    ).all()
    facilities = session.exec(
        select(Facility)
        .where(facility_filter(session, text))
        .order_by(*name_order(session, text, Facility.name, Facility.city, Facility.id))
        .offset(offset)
        .limit(page_size)
    ).all()
    ranked = rank_facilities(session, facilities, near_zip=_member_zip(session, order))
    costs = _cost_levels(session, order, ranked)
    in_network = in_network_among(
        session, order.plan_id, _network_day(order), "facility", (id_of(r.facility) for r in ranked)
    )
    return [
        _ranked_match(r, in_network=id_of(r.facility) in in_network, cost=costs.get(id_of(r.facility), ""))
        for r in ranked
    ] + _provider_matches(session, order, list(providers))


def _cost_levels(session: Session, order: Order, ranked: list[RankedFacility]) -> dict[int, str]:
    """facility id -> the plan's cost level in force on the date of service, in words (none: left out)."""
    levels = levels_on(
        session,
        plan_id=order.plan_id,
        facility_ids=[id_of(r.facility) for r in ranked],
        on=order.service_start or clock.today(),
    )
    return {facility_id: level_label(level) for facility_id, level in levels.items()}


def _member_zip(session: Session, order: Order) -> str:
    member = session.get(Member, order.member_id) if order.member_id else None
    return member.postal_code if member else ""


def _ranked_match(
    ranked: RankedFacility, exam_modality: str = "", *, in_network: bool, cost: str = ""
) -> ProviderMatch:
    only = scored_modality_for_exam(exam_modality) if exam_modality else None
    return replace(
        _facility_match(ranked.facility, in_network=in_network),
        quality=scores_label(ranked.scores, only),
        distance=distance_label(ranked.miles),
        cost=cost,
    )


def choose_providers(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    ordering_provider_id: int,
    servicing_kind: str,
    servicing_id: int,
    out_of_network_confirmed: bool,
    letter_address: str,
    letter_fax: str,
) -> StepResult:
    """Save the ordering provider (one of the actor's) and the servicing provider or facility."""
    order = editable_draft(session, actor, order_id)
    errors = {}
    ordering = session.get(Provider, ordering_provider_id)
    if ordering is None or ordering.tax_id not in _practice_tax_ids(session, actor):
        errors["ordering"] = "Choose the ordering provider from your practice."
    servicing = session.get(Facility if servicing_kind == "facility" else Provider, servicing_id)
    if servicing is None:
        errors["servicing"] = "Choose where the service will be performed."
    elif not out_of_network_confirmed and not is_in_network(
        session,
        order.plan_id,
        _network_day(order),
        **({"facility_id": servicing_id} if servicing_kind == "facility" else {"provider_id": servicing_id}),
    ):
        errors["servicing"] = "This choice is out of network for the plan: confirm it to go on."
    if not letter_address.strip() or not letter_fax.strip():
        errors["letters"] = "Confirm the office address and fax number for letters."
    if errors:
        return StepResult(errors)
    assert ordering is not None  # else errors["ordering"]
    order.ordering_provider_id = ordering.id
    order.facility_id = servicing_id if servicing_kind == "facility" else None
    order.servicing_provider_id = servicing_id if servicing_kind != "facility" else None
    order.out_of_network_confirmed = out_of_network_confirmed
    order.letter_address = letter_address.strip()[:300]
    order.letter_fax = letter_fax.strip()[:32]
    _touch(session, order, actor, 3)
    return StepResult()


# --- step 4: the program's own questions and the requested codes ---


def member_age(session: Session, order: Order, on: date) -> int:
    member = session.get(Member, order.member_id) if order.member_id else None
    return age_on(member.date_of_birth, on) if member else 0


def details_context(session: Session, order: Order) -> dict:
    """What a program's details schema may check against: the member's age on the date of service,
    that date, and how long an approval lasts under the plan (e.g. recurring trips must fit in it)."""
    on = order.service_start or clock.today()
    plan = get_existing(session, HealthPlan, order.plan_id)
    member = session.get(Member, order.member_id) if order.member_id else None
    return {
        "member_age": member_age(session, order, on),
        "member_sex": member.sex if member else "",
        "service_date": on,
        "validity_days": plan_validity_days(
            session, plan_id=order.plan_id, program=order.program, member_id=order.member_id, on=on
        )
        or get_program(order.program).validity_days(plan.code),
    }


def save_program_details(
    session: Session, *, actor: Actor, order_id: int, details: dict, codes: list[str]
) -> StepResult:
    """Validate the program's answers (its pydantic schema) and the requested codes, then save.

    When the answers mean that no request is needed at all (e.g. an emergency-room fracture for
    the musculoskeletal program), nothing is saved and the message says so."""
    order = editable_draft(session, actor, order_id)
    on = order.service_start or clock.today()
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))[:MAX_CODES]
    target, problem = _routing(session, order, wanted, on)
    if problem:
        return StepResult({"codes": problem})
    if target is not None:
        _reroute(session, order, actor, target)
        return StepResult({ROUTED: target.value})
    program = get_program(order.program)
    plan = get_existing(session, HealthPlan, order.plan_id)
    errors: dict[str, str] = {}
    try:
        validated = program.details_schema.model_validate(details, context=details_context(session, order))
    except ValidationError as invalid:
        errors.update(plain_errors(invalid))
        validated = None
    stop = program.why_no_request(validated if validated is not None else dict(details or {}))
    if stop:
        return StepResult({"no_request": stop})
    if not wanted:
        errors["codes"] = "Choose at least one procedure."
    program = _program_in_force(session, order, plan, on)
    refusal = _coverage_refusal(session, order, program, plan, on, wanted)
    if refusal:
        errors["codes"] = refusal
    if errors:
        return StepResult(errors)
    assert validated is not None  # else the validation errors above
    order.details = validated.model_dump(mode="json")
    _replace_lines(session, order, plan.code, on.year, wanted, validated, program=program)
    _touch(session, order, actor, 4)
    return StepResult()


# The error key saying the draft moved to another program (its value): the plan routes these codes there.
ROUTED = "routed"


def _routing(session: Session, order: Order, codes: list[str], on: date) -> tuple[Program | None, str]:
    """(the program the plan routes every code to, when another delegated program; a problem, or "").

    Decided by `program_routing.program_for` (e.g. echocardiography goes to cardiology for a plan that
    delegates echo to it); codes routed to two programs are refused together."""
    current = Program(order.program)
    line = _member_line(session, order)
    routed = {
        program_for(
            session,
            plan_id=order.plan_id,
            service_code=code,
            on_date=on,
            default=current,
            line_of_business=line,
        )
        for code in codes
    }
    if routed <= {current}:
        return None, ""
    if len(routed) > 1:
        names = " and ".join(sorted(program.label for program in routed))
        return (
            None,
            f"These codes are reviewed by different programs for this plan ({names}): request them apart.",
        )
    (target,) = routed
    if target not in programs_for(session, plan_id=order.plan_id, on=on):
        return None, ""
    return target, ""


def _reroute(session: Session, order: Order, actor: Actor, target: Program) -> None:
    """Move the draft to the program the plan routes its codes to; its answers start afresh."""
    moved_from = order.program
    order.program = target
    order.details = {}
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all():
        session.delete(line)
    audit.record(
        session,
        action="order.program_routed",
        user_id=actor.user_id,
        record_type="order",
        record_id=id_of(order),
        client_address=actor.client_address,
        detail={"from": str(moved_from), "to": target.value},
    )
    _touch(session, order, actor, 3)


def _member_line(session: Session, order: Order) -> str:
    member = session.get(Member, order.member_id) if order.member_id else None
    return member.line_of_business if member else ""


def _program_in_force(session: Session, order: Order, plan: HealthPlan, on: date) -> ProgramDefinition:
    """The order's program with the code list in force for the member's line of business on ``on``."""
    return program_for_coverage(
        session, plan=plan, program=order.program, line_of_business=_member_line(session, order), on=on
    )


def codes_in_force(session: Session, *, actor: Actor, order_id: int) -> tuple[ManagedCode, ...]:
    """The codes the draft's program manages for the member's coverage on the date of service, by
    code: what the wizard's program step offers, from the list that ``save_program_details`` checks."""
    order = editable_draft(session, actor, order_id)
    on = order.service_start or clock.today()
    plan = get_existing(session, HealthPlan, order.plan_id)
    return tuple(_program_in_force(session, order, plan, on).managed_codes(plan.code, on.year))


def _coverage_refusal(
    session: Session, order: Order, program: ProgramDefinition, plan: HealthPlan, on: date, codes: list[str]
) -> str:
    """Why some of the codes cannot be requested in this order for the member's coverage, or ""."""
    line = _member_line(session, order)
    for code in codes:
        if program.managed_code(plan.code, on.year, code) is not None:
            continue
        needed = requirement_for(
            session, plan_id=id_of(plan), line_of_business=line, service_code=code, on_date=on
        )
        if needed.managed and needed.program is not None:
            return (
                f"{code} belongs to the {needed.program.label} program for this member's coverage: start a "
                f"{needed.program.label} request for it. Nothing has been submitted."
            )
        return f"{needed.reason} Nothing has been submitted."
    return ""


def _replace_lines(
    session: Session,
    order: Order,
    plan_code: str,
    year: int,
    codes: list[str],
    details=None,
    *,
    program: ProgramDefinition | None = None,
) -> None:
    program = program or get_program(order.program)
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all():
        session.delete(line)
    session.flush()
    for number, code in enumerate(codes, start=1):
        managed = program.managed_code(plan_code, year, code)
        if managed is None:  # save_program_details refuses codes the program does not manage
            raise ValueError(f"{code} is not a managed code of {plan_code} in {year}")
        session.add(
            OrderLine(
                order_id=id_of(order),
                line_number=number,
                code_system="CPT",
                code=code,
                description=managed.label,
                quantity=program.quantity_for(details, plan_code, managed),
            )
        )


def refresh_line_quantities(session: Session, *, actor: Actor, order_id: int) -> BaseModel | None:
    """Set the draft's line quantities again from its saved answers (the program's ``line_quantity``);
    returns the validated answers, or None when they no longer validate (nothing changed)."""
    order = editable_draft(session, actor, order_id)
    program = get_program(order.program)
    try:
        details = program.details_schema.model_validate(
            order.details, context=details_context(session, order)
        )
    except ValidationError:
        return None
    plan = get_existing(session, HealthPlan, order.plan_id)
    on = order.service_start or clock.today()
    year = on.year
    program = _program_in_force(session, order, plan, on)
    for line in session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all():
        managed = program.managed_code(plan.code, year, line.code)
        if managed is not None:
            line.quantity = program.quantity_for(details, plan.code, managed)
            session.add(line)
    session.commit()
    return details


# --- step 5: diagnoses ---


def save_diagnoses(session: Session, *, actor: Actor, order_id: int, codes: list[str]) -> StepResult:
    """Save ICD-10-CM codes, the primary one first."""
    order = editable_draft(session, actor, order_id)
    found = []
    for code in list(dict.fromkeys(codes))[:MAX_DIAGNOSES]:
        diagnosis = get_diagnosis(code)
        if diagnosis is None:
            return StepResult({"diagnoses": f"{code} is not a billable ICD-10-CM code."})
        found.append(diagnosis)
    if not found:
        return StepResult({"diagnoses": "Add at least one diagnosis; the first is the primary one."})
    for row in session.exec(select(OrderDiagnosis).where(OrderDiagnosis.order_id == order.id)).all():
        session.delete(row)
    session.flush()
    for sequence, diagnosis in enumerate(found, start=1):
        session.add(
            OrderDiagnosis(
                order_id=id_of(order),
                sequence=sequence,
                code=diagnosis.code,
                description=diagnosis.description[:300],
            )
        )
    _touch(session, order, actor, 5)
    return StepResult()


# --- steps 6 and 7: urgency and date of service ---


def save_urgency_and_date(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    urgency: str,
    urgency_reason: str,
    service_date: date | None,
    today: date,
) -> StepResult:
    """Urgent requests need a clinical reason; a past date is accepted up to 2 business days back."""
    order = editable_draft(session, actor, order_id)
    errors = {}
    if urgency not in {u.value for u in Urgency}:
        errors["urgency"] = "Choose standard or urgent."
    elif urgency == Urgency.URGENT and len(urgency_reason.strip()) < 10:
        errors["urgency_reason"] = "Give the clinical reason this request is urgent."
    if service_date is None:
        errors["service_date"] = "Enter the date of service."
    else:
        problem = retro_request_problem(service_date, today)
        if problem:
            errors["service_date"] = problem
        elif order.member_id:
            member = get_existing(session, Member, order.member_id)
            problem = eligibility_problem(member, service_date)
            if problem:
                errors["service_date"] = problem
    if errors:
        return StepResult(errors)
    order.urgency = Urgency(urgency)
    order.urgency_reason = urgency_reason.strip()[:2000] if urgency == Urgency.URGENT else ""
    order.service_start = service_date
    _touch(session, order, actor, 7)
    return StepResult()


# --- resuming a draft ---


@dataclass(frozen=True)
class DraftSnapshot:
    order_id: int
    step: int
    plan_id: int
    program: str
    service_date: str
    member: MemberMatch | None
    member_age: int
    ordering_provider_id: int | None
    servicing: ProviderMatch | None
    out_of_network_confirmed: bool
    letter_address: str
    letter_fax: str
    details: dict
    codes: tuple[str, ...]
    diagnoses: tuple[tuple[str, str], ...]
    urgency: str
    urgency_reason: str


def get_draft(session: Session, *, actor: Actor, order_id: int) -> DraftSnapshot:
    """Everything saved so far, to resume the wizard after sign-out or a restart."""
    order = editable_draft(session, actor, order_id)
    member = session.get(Member, order.member_id) if order.member_id else None
    servicing = None
    if order.facility_id:
        servicing = _facility_match(
            get_existing(session, Facility, order.facility_id),
            in_network=is_in_network(
                session, order.plan_id, _network_day(order), facility_id=order.facility_id
            ),
        )
    elif order.servicing_provider_id:
        servicing = _provider_matches(
            session, order, [get_existing(session, Provider, order.servicing_provider_id)]
        )[0]
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.line_number))
    ).all()
    diagnoses = session.exec(
        select(OrderDiagnosis)
        .where(OrderDiagnosis.order_id == order.id)
        .order_by(col(OrderDiagnosis.sequence))
    ).all()
    return DraftSnapshot(
        order_id=id_of(order),
        step=order.wizard_step,
        plan_id=order.plan_id,
        program=order.program,
        service_date=order.service_start.isoformat() if order.service_start else "",
        member=_member_match(member, session) if member else None,
        member_age=member_age(session, order, order.service_start or clock.today()),
        ordering_provider_id=order.ordering_provider_id,
        servicing=servicing,
        out_of_network_confirmed=order.out_of_network_confirmed,
        letter_address=order.letter_address,
        letter_fax=order.letter_fax,
        details=dict(order.details),
        codes=tuple(line.code for line in lines),
        diagnoses=tuple((d.code, d.description) for d in diagnoses),
        urgency=order.urgency,
        urgency_reason=order.urgency_reason,
    )


def site_of_care_alternatives(
    session: Session, *, actor: Actor, order_id: int, exam_modality: str = ""
) -> list[ProviderMatch]:
    """In-network sites other than a hospital that can do the service (the kinds the program offers:
    reference/alternate_site_types.csv, e.g. free-standing centres and offices for imaging, ambulatory
    surgery centers for surgical procedures), within reach of the member's home ZIP, in the order of
    domain/site_ranking.py (registered sites by score, then distance), each with the plan's cost level
    on the date of service where the plan supplied one."""
    return alternate_sites(session, editable_draft(session, actor, order_id), exam_modality)


def alternate_sites(
    session: Session, order: Order, exam_modality: str = "", limit: int = 0
) -> list[ProviderMatch]:
    """The in-network alternatives to a hospital for ``order`` (the caller checked access): also named
    in a denial of the hospital setting (letters and order summary). ``limit`` 0: all of them."""
    candidates = select(Facility).where(
        col(Facility.facility_type).in_(alternate_site_types(order.program)),
        col(Facility.id).in_(in_network_ids(order.plan_id, _network_day(order), "facility")),
    )
    member_zip = _member_zip(session, order)
    near = nearby(Facility.postal_code, member_zip)
    if near is not None:
        candidates = candidates.where(near)
    ranked = rank_facilities(
        session, session.exec(candidates).all(), near_zip=member_zip, exam_modality=exam_modality
    )
    ranked = ranked[:limit] if limit else ranked
    costs = _cost_levels(session, order, ranked)
    return [
        _ranked_match(r, exam_modality, in_network=True, cost=costs.get(id_of(r.facility), ""))
        for r in ranked
    ]


ALTERNATE_SITES_SHOWN = 5


def denied_setting_alternatives(session: Session, order: Order) -> tuple[str, ...]:
    """When a physician denied a line on a criterion only a physician settles (the hospital site of
    care), the in-network free-standing and office sites that can do the exam instead, each as
    "name, kind, address (score; distance)"; else (). Program FAQ, shared/seeds/001: "an alternate
    free-standing imaging facility will be provided"."""
    from portal_app.domain.physician_criteria import is_physician_only
    from portal_app.models import Determination

    adverse = [LineDecision.NON_AUTHORIZED, LineDecision.PARTIALLY_AUTHORIZED]
    lines = session.exec(  # lines still denied: an overturned denial names no alternatives
        select(OrderLine.id).where(OrderLine.order_id == order.id, col(OrderLine.decision).in_(adverse))
    ).all()
    if not lines:
        return ()
    codes = session.exec(
        select(Determination.reason_code).where(
            col(Determination.order_line_id).in_(lines), col(Determination.decision).in_(adverse)
        )
    ).all()
    if not any(is_physician_only(order.program, code) for code in codes):
        return ()
    modality = str((order.details or {}).get("modality", ""))
    return tuple(
        f"{site.name}, {site.detail}, {site.address} ({site.quality}"
        + (f"; {site.distance}" if site.distance else "")
        + (f"; {site.cost}" if site.cost else "")
        + ")"
        for site in alternate_sites(session, order, modality, limit=ALTERNATE_SITES_SHOWN)
    )
