"""Synthetic demo data: plans, practices, providers, facilities, members, accounts.

Every name is invented and obviously fake; phone numbers use the fictional
555-01xx range. Loading is idempotent: each row is looked up by its natural key
(plan code, tax ID, NPI, member number, email) and only missing rows are added,
so running the seed twice leaves the same row counts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

import zipcodes
from sqlmodel import Session, SQLModel, select

from portal_app import clock
from portal_app.domain.enums import (
    FacilityType,
    LineOfBusiness,
    NetworkStatus,
    Program,
    Role,
    Sex,
    Specialty,
    UserStatus,
)
from portal_app.domain.identifiers import npi_check_digit
from portal_app.models import (
    AuditEvent,
    DemographicChangeRequest,
    Facility,
    FacilityRegistration,
    HealthPlan,
    Member,
    NetworkParticipation,
    PlanLineOfBusiness,
    PlanProgram,
    Practice,
    PracticeMembership,
    ProgramRouting,
    Provider,
    ReviewerProfile,
    User,
)
from portal_app.models.base import id_of
from portal_app.programs import parts
from portal_app.services.authz import Actor
from portal_app.services.code_lists import load_packaged_code_lists
from portal_app.services.cost_levels import load_demo_cost_levels
from portal_app.services.demo_cases import enter_demo_cases
from portal_app.services.passwords import hash_password

_SEED = 2026
NETWORK_EFFECTIVE_FROM = date(2024, 1, 1)

_FIRST_NAMES = [
    "Avery",
    "Blair",
    "Casey",
    "Devon",
    "Emery",
    "Finley",
    "Harper",
    "Jordan",
    "Kendall",
    "Logan",
    "Morgan",
    "Noel",
    "Parker",
    "Quinn",
    "Reese",
    "Rowan",
    "Sawyer",
    "Skyler",
    "Taylor",
    "Winter",
]
# Surnames chosen to read as placeholders, so nobody mistakes demo data for PHI.
_FAKE_SURNAMES = [
    "Demoson",
    "Testerly",
    "Samplewood",
    "Fakeley",
    "Mockford",
    "Placeholt",
    "Dummington",
    "Nonesuch",
    "Fictorino",
    "Pretendy",
    "Specimen",
    "Exemplar",
    "Synthwell",
    "Mockingham",
    "Notreal",
    "Dryrun",
    "Stubbins",
    "Fixtura",
    "Imaginary",
    "Madeupson",
]
_SPECIALTIES = [
    "Radiology",
    "Cardiology",
    "Orthopedic surgery",
    "Medical oncology",
    "Radiation oncology",
    "Physical therapy",
    "Sleep medicine",
    "Family medicine",
    "Internal medicine",
    "Neurology",
    "Pain medicine",
    "Hematology",
]
_CITIES = [
    ("Springfield", "IL", "62701"),
    ("Riverton", "WY", "82501"),
    ("Fairview", "OR", "97024"),
    ("Lakeside", "CA", "92040"),
    ("Georgetown", "TX", "78626"),
    ("Franklin", "TN", "37064"),
]
_STREETS = ["Demo Way", "Sample Street", "Placeholder Avenue", "Fixture Lane", "Mockingbird Road"]


@dataclass(frozen=True)
class PlanSpec:
    code: str
    name: str
    lines_of_business: tuple[LineOfBusiness, ...]
    programs: tuple[tuple[Program, date], ...]


def _delegated(plan_code: str) -> tuple[tuple[Program, date], ...]:
    """The programs a demo plan delegates, from each program package's demo.py (DELEGATIONS)."""
    return tuple(
        (program, delegated_from)
        for program, module in parts("demo").items()
        for code, delegated_from in module.DELEGATIONS
        if code == plan_code
    )


PLANS: tuple[PlanSpec, ...] = (
    PlanSpec(
        "EVG",
        "Evergreen Mutual Health (demo)",
        (LineOfBusiness.COMMERCIAL_HMO_POS, LineOfBusiness.MEDICARE_ADVANTAGE),
        _delegated("EVG"),
    ),
    PlanSpec(
        "LKS",
        "Lakeshore Community Care (demo)",
        (LineOfBusiness.MEDICAID, LineOfBusiness.DUAL),
        _delegated("LKS"),
    ),
    PlanSpec(
        "SUM",
        "Summit Federal Employee Plan (demo)",
        (LineOfBusiness.FEP, LineOfBusiness.COMMERCIAL_HMO_POS),
        _delegated("SUM"),
    ),
    PlanSpec(
        "RVB",
        "Riverbend Senior Advantage (demo)",
        (LineOfBusiness.MEDICARE_ADVANTAGE, LineOfBusiness.DUAL),
        _delegated("RVB"),
    ),
)


# Lines of business that decide something (issue 20): Riverbend also offers a commercial PPO/EPO
# line, and delegates imaging for its Medicare Advantage and dual-eligible members only, so the
# same imaging code needs a request for an MA member and none for a PPO/EPO member. The two
# members below (numbers after the 200 generated ones) show it.
EXTRA_PLAN_LINES: dict[str, tuple[LineOfBusiness, ...]] = {"RVB": (LineOfBusiness.COMMERCIAL_PPO_EPO,)}
LINE_DELEGATIONS: dict[tuple[str, Program], tuple[LineOfBusiness, ...]] = {
    ("RVB", Program.IMAGING): (LineOfBusiness.MEDICARE_ADVANTAGE, LineOfBusiness.DUAL),
}
COVERAGE_DEMO_MEMBERS: tuple[tuple[str, str, str, LineOfBusiness], ...] = (
    ("RVB200000001", "Mara", "Advantage", LineOfBusiness.MEDICARE_ADVANTAGE),
    ("RVB200000002", "Pelle", "Preferred", LineOfBusiness.COMMERCIAL_PPO_EPO),
    # Lakeshore's generated members are all dual eligible; this Medicaid member's echo stays with imaging
    # from 2027 (imaging/demo.py ROUTINGS: a routing for one line of business).
    ("LKS200000003", "Nell", "Stateplan", LineOfBusiness.MEDICAID),
)
CODE_LIST_YEARS = range(2024, 2029)  # the packaged code lists loaded as version 1 (services/code_lists)


@dataclass(frozen=True)
class PracticeSpec:
    tax_id: str
    name: str
    share_orders: bool


PRACTICES: tuple[PracticeSpec, ...] = (
    PracticeSpec("90-1000001", "Maple Street Medical Group (demo)", True),
    PracticeSpec("90-1000002", "Harbor View Specialists (demo)", False),
    # The imaging group whose staff registers its sites (facility registration).
    PracticeSpec("90-1000003", "Lakeside Imaging Partners (demo)", False),
)
IMAGING_GROUP_TAX_ID = "90-1000003"
# Demo facilities (by index) billing under the imaging group: the Franklin and Fairview free-standing centres.
IMAGING_GROUP_SITES = (3, 4)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    username: str
    password: str
    full_name: str
    role: Role
    practice_tax_ids: tuple[str, ...] = ()


# Documented in the README; `make run` prints them.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "ordering@demo.precert.test",
        "ordering",
        "Maple-Street-2026",
        "Olive Orderwell (demo)",
        Role.ORDERING_PROVIDER_STAFF,
        ("90-1000001",),
    ),
    DemoAccount(
        "ordering2@demo.precert.test",
        "ordering2",
        "Harbor-View-2026",
        "Otto Orderby (demo)",
        Role.ORDERING_PROVIDER_STAFF,
        ("90-1000002",),
    ),
    DemoAccount(
        "servicing@demo.precert.test",
        "servicing",
        "Verify-Orders-2026",
        "Sam Servicewell (demo)",
        Role.SERVICING_PROVIDER_STAFF,
        ("90-1000002",),
    ),
    DemoAccount(
        "nurse@demo.precert.test",
        "nurse",
        "Queue-Review-2026",
        "Nora Nursewell (demo)",
        Role.NURSE_REVIEWER,
    ),
    DemoAccount(
        "physician@demo.precert.test",
        "physician",
        "Peer-To-Peer-2026",
        "Phil Physicianson (demo)",
        Role.PHYSICIAN_REVIEWER,
    ),
    # A second physician: an appeal must go to a physician other than the one who denied.
    DemoAccount(
        "appeals@demo.precert.test",
        "appeals",
        "Second-Look-2026",
        "Ada Appealson (demo)",
        Role.PHYSICIAN_REVIEWER,
    ),
    DemoAccount(
        "facility@demo.precert.test",
        "facility",
        "Register-Sites-2026",
        "Fiona Facilityward (demo)",
        Role.FACILITY_STAFF,
        ("90-1000003",),
    ),
    DemoAccount(
        "support@demo.precert.test",
        "support",
        "Approve-Users-2026",
        "Sue Supportly (demo)",
        Role.SUPPORT_ADMIN,
    ),
)

PROVIDER_COUNT = 40
FACILITY_COUNT = 10
MEMBER_COUNT = 200


@dataclass
class SeedReport:
    """How many rows of each kind the seed added (0 everywhere on a second run)."""

    added: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.added[kind] = self.added.get(kind, 0) + 1


def _phone(rng: random.Random) -> str:
    return f"555-01{rng.randint(0, 99):02d}"


def _address(rng: random.Random) -> dict[str, str]:
    city, state, postal_code = rng.choice(_CITIES)
    return {
        "address_line": f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}",
        "city": city,
        "state": state,
        "postal_code": postal_code,
    }


def demo_npi(index: int, *, kind: str) -> str:
    """A valid-format NPI (correct check digit) from a reserved-looking stem."""
    stem = f"{'1' if kind == 'provider' else '2'}99{index:06d}"
    return f"{stem}{npi_check_digit(stem)}"


def provider_rows() -> list[dict[str, Any]]:
    """The 40 demo providers; the first 20 bill under the two demo practices."""
    rng = random.Random(_SEED)
    rows = []
    for i in range(PROVIDER_COUNT):
        tax_id = PRACTICES[i % 2].tax_id if i < 20 else f"91-{2000000 + i:07d}"
        rows.append(
            {
                "npi": demo_npi(i, kind="provider"),
                "first_name": _FIRST_NAMES[i % len(_FIRST_NAMES)],
                "last_name": _FAKE_SURNAMES[(i * 7) % len(_FAKE_SURNAMES)],
                "specialty": _SPECIALTIES[i % len(_SPECIALTIES)],
                "phone": _phone(rng),
                "fax": _phone(rng),
                "tax_id": tax_id,
                **_address(rng),
            }
        )
    return rows


_FACILITY_TYPES = (
    [FacilityType.HOSPITAL_OUTPATIENT] * 3
    + [FacilityType.FREE_STANDING] * 3
    + [FacilityType.PHYSICIAN_OFFICE] * 2
    + [FacilityType.SLEEP_CENTER, FacilityType.INFUSION_CENTER]
)
_FACILITY_NAMES = {
    FacilityType.HOSPITAL_OUTPATIENT: "General Hospital Outpatient Imaging",
    FacilityType.FREE_STANDING: "Free-standing Imaging Center",
    FacilityType.PHYSICIAN_OFFICE: "Office Imaging Suite",
    FacilityType.SLEEP_CENTER: "Sleep Diagnostics Center",
    FacilityType.INFUSION_CENTER: "Infusion Center",
}


# Exams each kind of demo site offers (values of the imaging program's modalities).
_FACILITY_MODALITIES = {
    FacilityType.HOSPITAL_OUTPATIENT: (
        "ct,cta,cardiac_ct,mri,mra,cardiac_mri,mpi,cardiac_pet,pet,stress_echo,tte,tee"
    ),
    FacilityType.FREE_STANDING: "ct,cta,mri,mra,pet",
    FacilityType.PHYSICIAN_OFFICE: "mpi,stress_echo,tte",
}


def facility_rows() -> list[dict[str, Any]]:
    """The 10 demo facilities: hospital outpatient, free-standing, offices and others."""
    rng = random.Random(_SEED + 1)
    rows = []
    for i, facility_type in enumerate(_FACILITY_TYPES[:FACILITY_COUNT]):
        address = _address(rng)
        rows.append(
            {
                "npi": demo_npi(i, kind="facility"),
                "name": f"{address['city']} {_FACILITY_NAMES[facility_type]} {i + 1} (demo)",
                "facility_type": facility_type,
                "phone": _phone(rng),
                "fax": _phone(rng),
                "tax_id": IMAGING_GROUP_TAX_ID if i in IMAGING_GROUP_SITES else f"92-{3000000 + i:07d}",
                "modalities": _FACILITY_MODALITIES.get(facility_type, ""),
                # Only a facility registration gives a score (services/facility_registration.py).
                "quality_score": None,
                **address,
            }
        )
    return rows


# Ambulatory surgery centers (issue 20): one in each demo city, in network for every demo plan, so the
# surgical wizard has an alternative to a hospital near each member. Their NPIs follow the 10 facilities.
def asc_rows() -> list[dict[str, Any]]:
    rng = random.Random(_SEED + 3)
    return [
        {
            "npi": demo_npi(FACILITY_COUNT + i, kind="facility"),
            "name": f"{city} Ambulatory Surgery Center {FACILITY_COUNT + i + 1} (demo)",
            "facility_type": FacilityType.AMBULATORY_SURGERY_CENTER,
            "phone": _phone(rng),
            "fax": _phone(rng),
            "tax_id": f"93-{4000000 + i:07d}",
            "modalities": "",
            "quality_score": None,
            "address_line": f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}",
            "city": city,
            "state": state,
            "postal_code": postal_code,
        }
        for i, (city, state, postal_code) in enumerate(_CITIES)
    ]


# The demo plan whose facility cost levels the seed loads (the seeds' "Specialty Care Shopper": the plan's
# relative cost level of a site, shown next to its quality and distance). Rows: (facility index as in
# facility_rows() then asc_rows(), level, from, until). Facility 7 has none (nothing is shown for it);
# facility 2 moves up a level in 2027. Synthetic: no real plan's data.
COST_LEVEL_PLAN = "EVG"
COST_LEVEL_SOURCE = "Evergreen Mutual Health (demo) site-of-care cost report 2026; synthetic demo data"
DEMO_COST_LEVELS: tuple[tuple[int, str, date, date | None], ...] = (
    (1, "$$$$", date(2026, 1, 1), None),
    (2, "$$$", date(2026, 1, 1), date(2026, 12, 31)),
    (2, "$$$$", date(2027, 1, 1), None),
    (3, "$", date(2026, 1, 1), None),
    (4, "$", date(2026, 1, 1), None),
    (6, "$$", date(2026, 1, 1), None),
    *((FACILITY_COUNT + i, "$" if i % 2 == 0 else "$$", date(2026, 1, 1), None) for i in range(len(_CITIES))),
)


def demo_cost_level_csv() -> str:
    """The demo plan's cost level file (the format of docs/data-files.md; docs/examples/cost-levels.csv)."""
    lines = [
        "# Facility cost levels of the demo plan Evergreen (EVG): each site's relative cost on the plan's",
        "# own scale, never a price. Synthetic demo data.",
        "npi,cost_level,effective_from,effective_until,source",
    ]
    for index, level, starts, ends in DEMO_COST_LEVELS:
        until = ends.isoformat() if ends else ""
        lines.append(
            f"{demo_npi(index, kind='facility')},{level},{starts.isoformat()},{until},{COST_LEVEL_SOURCE}"
        )
    return "\n".join(lines) + "\n"


def member_rows() -> list[dict[str, Any]]:
    """The 200 demo members, spread over the plans.

    Every 25th member is a child (under 19 until at least 2030), and every 20th
    member's eligibility has ended, so wizards can be tried on both.
    """
    rng = random.Random(_SEED + 2)
    rows = []
    for i in range(MEMBER_COUNT):
        plan = PLANS[i % len(PLANS)]
        is_child = i % 25 == 0
        birth_year = rng.randint(2012, 2016) if is_child else rng.randint(1938, 2004)
        rows.append(
            {
                "plan_code": plan.code,
                "member_number": f"{plan.code}{100000000 + i}",
                "first_name": _FIRST_NAMES[(i * 3) % len(_FIRST_NAMES)],
                "last_name": _FAKE_SURNAMES[i % len(_FAKE_SURNAMES)],
                "date_of_birth": date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
                "sex": Sex.FEMALE if i % 2 == 0 else Sex.MALE,
                "line_of_business": plan.lines_of_business[i % len(plan.lines_of_business)],
                "phone": _phone(rng),
                "eligibility_start": date(2024, 1, 1),
                "eligibility_end": date(2025, 12, 31) if i % 20 == 19 else None,
                **_address(rng),
            }
        )
    return rows + _coverage_demo_rows(rng)


def _coverage_demo_rows(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "plan_code": number[:3],
            "member_number": number,
            "first_name": first,
            "last_name": last,
            "date_of_birth": date(1956, 3 + n, 14),
            "sex": Sex.FEMALE if n % 2 == 0 else Sex.MALE,
            "line_of_business": line,
            "phone": _phone(rng),
            "eligibility_start": date(2024, 1, 1),
            "eligibility_end": None,
            **_address(rng),
        }
        for n, (number, first, last, line) in enumerate(COVERAGE_DEMO_MEMBERS)
    ]


def network_status(party_index: int, plan_index: int) -> NetworkStatus:
    """About one party in five is out of network, a different one for each plan."""
    if (party_index + plan_index) % 5 == 0:
        return NetworkStatus.OUT_OF_NETWORK
    return NetworkStatus.IN_NETWORK


def load_demo_data(session: Session) -> SeedReport:
    """Add every missing demo row and commit once; return what was added."""
    report = SeedReport()
    plans = _load_plans(session, report)
    practices = _load_practices(session, report)
    providers = _load_by_key(session, Provider, "npi", provider_rows(), report)
    facilities = _load_by_key(session, Facility, "npi", facility_rows(), report)
    surgery_centers = _load_by_key(session, Facility, "npi", asc_rows(), report)
    _load_network(session, plans, providers, facilities, report, always_in=surgery_centers)
    if added := load_demo_cost_levels(
        session, plan_code=COST_LEVEL_PLAN, lines=demo_cost_level_csv().splitlines(keepends=True)
    ):
        report.added["facility_cost_levels"] = added
    _load_members(session, plans, report)
    if added := load_packaged_code_lists(session, years=CODE_LIST_YEARS):
        report.added["code_list_versions"] = report.added.get("code_list_versions", 0) + added
    _load_accounts(session, practices, report)
    _load_reviewer_profiles(session, report)
    if report.added:
        session.add(AuditEvent(action="demo_data.loaded", record_type="database", detail=dict(report.added)))
    session.commit()
    if entered := enter_demo_cases(session):
        report.added["orders"] = entered
    _load_facility_registration(session, facilities[IMAGING_GROUP_SITES[0]], report)
    _load_change_request(session, providers[2], report)
    return report


def demo_actor(session: Session, username: str) -> Actor:
    """The Actor of a demo account, with the practices it belongs to."""
    user = session.exec(select(User).where(User.username == username)).one()
    practices = session.exec(
        select(PracticeMembership.practice_id).where(PracticeMembership.user_id == user.id)
    ).all()
    return Actor(
        user_id=id_of(user), role=Role(user.role), full_name=user.full_name, practice_ids=tuple(practices)
    )


def demo_registration_answers(facility: Facility, today: date) -> dict[str, dict[str, Any]]:
    """A registration of a demo site offering CT, MRI and PET: current accreditation except PET's,
    a physics survey two months ago, an MRI reader without board certification."""
    renewal, survey = (today + timedelta(days=400)).isoformat(), (today - timedelta(days=60)).isoformat()
    site = {
        name: getattr(facility, name)
        for name in ("npi", "name", "address_line", "city", "state", "postal_code", "phone", "fax", "tax_id")
    }
    site["facility_type"] = FacilityType(facility.facility_type).value
    # The registration asks for 10-digit numbers: the demo's fictional 555-01xx numbers get the area code.
    area_code = (zipcodes.matching(facility.postal_code) or [{}])[0].get("area_codes", ["555"])[0]
    site["phone"], site["fax"] = f"{area_code}-{facility.phone}", f"{area_code}-{facility.fax}"
    return {
        "facility": site,
        "modalities": {"offered": ["ct", "mri", "pet"]},
        "equipment": {
            "ct.units": "1",
            "ct.year_installed": str(today.year - 3),
            "ct.slices": "128",
            "ct.xr29": "yes",
            "ct.iterative_reconstruction": "yes",
            "ct.automatic_exposure_control": "yes",
            "ct.dose_records": "yes",
            "mri.units": "1",
            "mri.year_installed": str(today.year - 8),
            "mri.field_strength": "1.5",
            "pet.units": "1",
            "pet.year_installed": str(today.year - 12),
        },
        "staff": {
            f"{m}.{q}": "yes"
            for m in ("ct", "mri", "pet")
            for q in ("technologists_credentialed", "physicians_board_certified")
        }
        | {
            "ct.physician_on_site_contrast": "yes",
            "mri.physician_on_site_contrast": "yes",
            "mri.physicians_board_certified": "no",
        },
        "accreditation": {
            "ct.body": "acr",
            "ct.expires_on": renewal,
            "mri.body": "acr",
            "mri.expires_on": renewal,
            "pet.body": "none",
            "pet.expires_on": "",
        },
        "quality": {
            "qc_log": "yes",
            "dose_registry": "yes",
            "emergency_training": "yes",
            "ct.physics_survey_on": survey,
            "mri.physics_survey_on": survey,
            "pet.physics_survey_on": survey,
        },
    }


def _load_facility_registration(session: Session, facility: Facility, report: SeedReport) -> None:
    """The Franklin centre registered through the facility services (the Fairview one is left for
    the demo facility user to register)."""
    from portal_app.services import facility_registration as registrations

    if session.exec(
        select(FacilityRegistration).where(FacilityRegistration.facility_id == facility.id)
    ).first():
        return
    actor, today = demo_actor(session, "facility"), clock.today()
    registration_id = registrations.start_registration(session, actor=actor)
    for section, answers in demo_registration_answers(facility, today).items():
        errors = registrations.save_section(
            session,
            actor=actor,
            registration_id=registration_id,
            section=section,
            answers=answers,
            today=today,
        )
        if errors:
            raise ValueError(f"Demo registration, section {section}: {errors}")
    errors = registrations.submit_registration(
        session, actor=actor, registration_id=registration_id, today=today
    )
    if errors:
        raise ValueError(f"Demo registration: {errors}")
    report.count("facility_registrations")


def _load_change_request(session: Session, provider: Provider, report: SeedReport) -> None:
    """One pending request for support: a new phone number for a Maple Street provider from next month."""
    from portal_app.services.demographic_changes import request_change

    if session.exec(
        select(DemographicChangeRequest).where(DemographicChangeRequest.provider_id == provider.id)
    ).first():
        return
    today = clock.today()
    _, errors = request_change(
        session,
        actor=demo_actor(session, "ordering"),
        provider_id=provider.id,
        field="phone",
        new_values={"phone": "217-555-0188"},
        effective_date=today + timedelta(days=30),
        reason="The office moves its phone line.",
        today=today,
    )
    if errors:
        raise ValueError(f"Demo change request: {errors}")
    session.commit()
    report.count("demographic_change_requests")


_Row = TypeVar("_Row", bound=SQLModel)


def _load_by_key(
    session: Session,
    model: type[_Row],
    key: str,
    rows: list[dict[str, Any]],
    report: SeedReport,
) -> list[_Row]:
    existing = {getattr(row, key): row for row in session.exec(select(model)).all()}
    loaded = []
    for values in rows:
        row = existing.get(values[key])
        if row is None:
            row = model(**values)
            session.add(row)
            report.count(str(model.__tablename__))
        loaded.append(row)
    session.flush()
    return loaded


def _load_plans(session: Session, report: SeedReport) -> dict[str, HealthPlan]:
    rows = [{"code": spec.code, "name": spec.name} for spec in PLANS]
    plans = _load_by_key(session, HealthPlan, "code", rows, report)
    by_code = {plan.code: plan for plan in plans}
    for spec in PLANS:
        plan = by_code[spec.code]
        for lob in spec.lines_of_business + EXTRA_PLAN_LINES.get(spec.code, ()):
            if session.get(PlanLineOfBusiness, (plan.id, lob)) is None:
                session.add(PlanLineOfBusiness(plan_id=id_of(plan), line_of_business=lob))
                report.count("plan_lines_of_business")
        for program, delegated_from in spec.programs:
            for line in LINE_DELEGATIONS.get((spec.code, program), ("",)):
                _load_delegation(session, plan, program, line, delegated_from, report)
    _load_program_routings(session, by_code, report)
    session.flush()
    return by_code


def _load_program_routings(session: Session, plans: dict[str, HealthPlan], report: SeedReport) -> None:
    """The groups of services a demo plan routes to a program (a program package's demo.py ROUTINGS)."""
    for program, module in parts("demo").items():
        for plan_code, group, line, starts_on, source in getattr(module, "ROUTINGS", ()):
            plan_id = id_of(plans[plan_code])
            key = (
                ProgramRouting.plan_id == plan_id,
                ProgramRouting.service_group == group,
                ProgramRouting.line_of_business == line,
            )
            if session.exec(
                select(ProgramRouting).where(*key, ProgramRouting.starts_on == starts_on)
            ).first():
                continue
            session.add(
                ProgramRouting(
                    plan_id=plan_id,
                    service_group=group,
                    line_of_business=line,
                    program=program,
                    starts_on=starts_on,
                    source=source,
                )
            )
            report.count("program_routings")


def _load_delegation(
    session: Session, plan: HealthPlan, program: Program, line: str, delegated_from: date, report: SeedReport
) -> None:
    found = session.exec(
        select(PlanProgram).where(
            PlanProgram.plan_id == plan.id,
            PlanProgram.program == program,
            PlanProgram.line_of_business == line,
            PlanProgram.delegated_from == delegated_from,
        )
    ).first()
    if found is None:
        session.add(
            PlanProgram(
                plan_id=id_of(plan), program=program, line_of_business=line, delegated_from=delegated_from
            )
        )
        report.count("plan_programs")


def _load_practices(session: Session, report: SeedReport) -> dict[str, Practice]:
    rows = [
        {"tax_id": spec.tax_id, "name": spec.name, "share_orders": spec.share_orders} for spec in PRACTICES
    ]
    return {p.tax_id: p for p in _load_by_key(session, Practice, "tax_id", rows, report)}


def _load_network(
    session: Session,
    plans: dict[str, HealthPlan],
    providers: list[Provider],
    facilities: list[Facility],
    report: SeedReport,
    *,
    always_in: list[Facility] | None = None,
) -> None:
    """Every party's participation in every demo plan: about one in five out of network
    (``network_status``), the ``always_in`` facilities in network everywhere."""
    existing = {
        (row.plan_id, row.provider_id, row.facility_id)
        for row in session.exec(select(NetworkParticipation)).all()
    }
    in_everywhere = {id_of(f) for f in always_in or []}
    for plan_index, spec in enumerate(PLANS):
        plan_id = id_of(plans[spec.code])
        parties = [("provider_id", p) for p in providers] + [
            ("facility_id", f) for f in [*facilities, *(always_in or [])]
        ]
        for party_index, (column, party) in enumerate(parties):
            key = (
                plan_id,
                party.id if column == "provider_id" else None,
                party.id if column == "facility_id" else None,
            )
            if key in existing:
                continue
            session.add(
                NetworkParticipation(
                    plan_id=plan_id,
                    status=(
                        NetworkStatus.IN_NETWORK
                        if column == "facility_id" and party.id in in_everywhere
                        else network_status(party_index, plan_index)
                    ),
                    effective_from=NETWORK_EFFECTIVE_FROM,
                    provider_id=key[1],
                    facility_id=key[2],
                )
            )
            report.count("network_participations")
    session.flush()


def _load_members(session: Session, plans: dict[str, HealthPlan], report: SeedReport) -> None:
    existing = {
        (plan_id, number)
        for plan_id, number in session.exec(select(Member.plan_id, Member.member_number)).all()
    }
    for values in member_rows():
        plan_id = id_of(plans[values.pop("plan_code")])
        if (plan_id, values["member_number"]) in existing:
            continue
        session.add(Member(plan_id=plan_id, **values))
        report.count("members")
    session.flush()


def _load_accounts(session: Session, practices: dict[str, Practice], report: SeedReport) -> None:
    for account in DEMO_ACCOUNTS:
        user = session.exec(select(User).where(User.email == account.email)).first()
        if user is None:
            user = User(
                email=account.email,
                username=account.username,
                password_hash=hash_password(account.password),
                full_name=account.full_name,
                phone="555-0100",
                role=account.role,
                status=UserStatus.ACTIVE,
            )
            session.add(user)
            session.flush()
            report.count("users")
        for tax_id in account.practice_tax_ids:
            practice_id = id_of(practices[tax_id])
            found = session.exec(
                select(PracticeMembership).where(
                    PracticeMembership.user_id == user.id,
                    PracticeMembership.practice_id == practice_id,
                )
            ).first()
            if found is None:
                session.add(PracticeMembership(user_id=id_of(user), practice_id=practice_id))
                report.count("practice_memberships")
    session.flush()


# The demo physicians' specialties, and who takes immediate peer-to-peer calls now: the pain program's
# calls ring a pain-medicine physician who is available (domain/conversation.py).
DEMO_REVIEWER_PROFILES: dict[str, tuple[Specialty, bool]] = {
    "physician@demo.precert.test": (Specialty.PAIN_MEDICINE, True),
    "appeals@demo.precert.test": (Specialty.SPINE_SURGERY, False),
}


def _load_reviewer_profiles(session: Session, report: SeedReport) -> None:
    for email, (specialty, available) in DEMO_REVIEWER_PROFILES.items():
        user = session.exec(select(User).where(User.email == email)).one()
        if session.get(ReviewerProfile, user.id) is None:
            session.add(ReviewerProfile(user_id=id_of(user), specialty=specialty, available_now=available))
            report.count("reviewer_profiles")
    session.flush()
