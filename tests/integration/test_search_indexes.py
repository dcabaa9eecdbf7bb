"""Issue 27: the member look-up and the provider/facility searches answer from indexes (revision 0025),
find the same rows as before (case aside, LIKE wildcards literal), and come in pages."""

from __future__ import annotations

import asyncio
import concurrent.futures
from datetime import date, timedelta

import pytest
import reflex as rx
from sqlmodel import col, select

from portal_app.db import query_plan
from portal_app.domain.enums import FacilityType, LineOfBusiness, Sex
from portal_app.models import Facility, Member, Provider
from portal_app.services import order_entry
from portal_app.services.party_search import facility_filter, provider_filter, uses_trigram_table
from portal_app.state.order_wizard import DIAGNOSIS_PAGE_SIZE, OrderWizardState
from tests.conftest import BACKENDS
from tests.integration.order_helpers import TODAY, actor_for, member_by_number

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

BORN = date(1961, 4, 9)


def _postgres(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _plan(session, statement) -> list[str]:
    """The plan of ``statement``. PostgreSQL plans a table of a few hundred rows as a sequential scan
    whatever the indexes, so there the plan is asked for with sequential scans priced out: it then shows
    whether the query *can* be answered from the index (the planner picks it for large tables; see
    benchmarks/searches.py)."""
    connection = session.connection()
    if _postgres(session):
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return query_plan(connection, statement)


def _scans_whole(plan: list[str], table: str) -> bool:
    """Whether the plan reads every row of ``table`` (SQLite "SCAN t", PostgreSQL "Seq Scan on t")."""
    return any(
        line.strip() == f"SCAN {table}"
        or line.strip().startswith(f"SCAN {table} ")
        or f"Seq Scan on {table} " in f"{line} "
        for line in plan
    )


def _member(plan_id: int, first: str, last: str, born: date = BORN, number: str = "") -> Member:
    return Member(
        plan_id=plan_id,
        member_number=number or f"SRCH{first.upper()}{last.upper()}"[:40],
        first_name=first,
        last_name=last,
        date_of_birth=born,
        sex=Sex.FEMALE,
        line_of_business=LineOfBusiness.COMMERCIAL_HMO_POS,
        address_line="1 Search Way",
        city="Salem",
        state="OR",
        postal_code="97301",
        eligibility_start=date(2020, 1, 1),
    )


def _provider(
    n: int, last: str, first: str = "Alex", city: str = "Salem", postal_code: str = "97301"
) -> Provider:
    return Provider(
        npi=f"39{n:08d}",
        first_name=first,
        last_name=last,
        specialty="Radiology",
        address_line="2 Search Way",
        city=city,
        state="OR",
        postal_code=postal_code,
        phone="555-0100",
        fax="555-0101",
        tax_id="99-9999999",
    )


def _draft(session, office) -> int:
    plan_id = member_by_number(session, "EVG100000012").plan_id
    order_id, result = order_entry.start_draft(
        session,
        actor=office,
        plan_id=plan_id,
        program="imaging",
        service_date=TODAY + timedelta(days=7),
        today=TODAY,
    )
    assert result.ok, result.errors
    return order_id


def test_member_look_up_ignores_case_takes_wildcards_literally_and_pages(session, demo_data):
    office = actor_for(session, "ordering")
    order_id = _draft(session, office)
    plan_id = member_by_number(session, "EVG100000012").plan_id
    firsts = [f"Pat{chr(ord('a') + n)}" for n in range(13)]
    session.add_all([_member(plan_id, first, "McAllister") for first in firsts])
    session.add(_member(plan_id, "Other", "McAllister", born=BORN + timedelta(days=1)))
    session.add(_member(plan_id, "Wild", "Mc%ster"))
    other_plan = session.exec(select(Member.plan_id).where(Member.plan_id != plan_id)).first()
    assert other_plan is not None
    session.add(_member(other_plan, "Elsewhere", "McAllister"))
    session.commit()

    def names(last_name: str, page: int = 0) -> list[str]:
        found = order_entry.search_members(
            session, actor=office, order_id=order_id, last_name=last_name, birth_date=BORN, page=page
        )
        return [m.name for m in found]

    first_page, second_page = names("MCALLISTER"), names("  mcallister ", page=1)
    assert first_page == [f"{first} McAllister" for first in firsts[:10]]
    assert second_page == [f"{first} McAllister" for first in firsts[10:]]
    assert names("mcallister", page=2) == []
    assert names("Mc%ster") == ["Wild Mc%ster"]  # the % typed is a percent sign, not "anything"
    assert names("mc_llister") == []


def test_member_look_up_is_answered_from_the_expression_index(session, db_url):
    by_name = order_entry.member_lookup(1, last_name="Garcia", birth_date=BORN)
    plan = _plan(session, by_name)
    assert any("ix_members_plan_lower_last_name_dob" in line for line in plan), plan
    assert not _scans_whole(plan, "members"), plan


PROVIDER_NAMES = [
    "Anderson",
    "Sanderson",
    "ANDERS",
    "Vanderbilt",
    "Ng",
    'Say "Doc" Smith',
    "O'Neil",
    "50%off",
    "a_b",
]


def _providers_found(session, text: str, *, force_like: bool = False) -> list[int]:
    return list(
        session.exec(
            select(Provider.id)
            .where(provider_filter(session, text, force_like=force_like))
            .order_by(Provider.id)
        ).all()
    )


def _facilities_found(session, text: str, *, force_like: bool = False) -> list[int]:
    return list(
        session.exec(
            select(Facility.id)
            .where(facility_filter(session, text, force_like=force_like))
            .order_by(Facility.id)
        ).all()
    )


def test_contains_search_finds_what_like_finds(session, demo_data):
    session.add_all([_provider(n, name) for n, name in enumerate(PROVIDER_NAMES)])
    session.commit()
    texts = [
        "ander",
        "ANDER",
        "son",
        "nd",
        "ng",
        '"doc"',
        "o'n",
        "50%",
        "%",
        "a_b",
        "_",
        "Radiology",
        "salem",
    ]
    some_provider = session.exec(select(Provider)).first()
    facility = session.exec(select(Facility)).first()
    assert some_provider is not None and facility is not None
    texts += [some_provider.npi, some_provider.postal_code, facility.npi, facility.name[1:6], "free stand"]
    for text in texts:
        assert _providers_found(session, text) == _providers_found(session, text, force_like=True), text
        assert _facilities_found(session, text) == _facilities_found(session, text, force_like=True), text
    anders = session.exec(
        select(Provider.last_name).where(col(Provider.id).in_(_providers_found(session, "ANDER")))
    )
    assert {"Anderson", "Sanderson", "ANDERS", "Vanderbilt"} <= set(anders.all())
    assert uses_trigram_table(session, "ander") == (not _postgres(session))
    assert session.exec(select(Provider.last_name).where(provider_filter(session, '"doc"'))).all() == [
        'Say "Doc" Smith'
    ]
    assert session.exec(select(Provider.last_name).where(provider_filter(session, "50%"))).all() == ["50%off"]
    free_standing = _facilities_found(session, "free stand")
    assert free_standing and all(
        session.get(Facility, i).facility_type == FacilityType.FREE_STANDING for i in free_standing
    )


def test_the_search_follows_inserts_updates_and_deletes(session, db_url):
    provider = _provider(1, "Zyxwvut")
    session.add(provider)
    session.add(_provider(2, "Plain"))
    session.commit()
    assert _providers_found(session, "xwv") == [provider.id]

    provider.last_name = "Qponmlk"
    session.add(provider)
    session.commit()
    assert _providers_found(session, "xwv") == []
    assert _providers_found(session, "ONML") == [provider.id]

    session.delete(provider)
    session.commit()
    assert _providers_found(session, "onml") == []
    assert len(_providers_found(session, "plain")) == 1

    facility = Facility(
        npi="3900000009",
        name="Quokka Imaging",
        facility_type=FacilityType.FREE_STANDING,
        address_line="3 Search Way",
        city="Bend",
        state="OR",
        postal_code="97701",
        phone="555-0300",
        fax="555-0301",
        tax_id="99-9999998",
        modalities="ct",
    )
    session.add(facility)
    session.commit()
    assert _facilities_found(session, "uokk") == [facility.id]
    facility.city, facility.name = "Wallaby", "Renamed"
    session.add(facility)
    session.commit()
    assert _facilities_found(session, "uokk") == []
    assert _facilities_found(session, "allab") == [facility.id]


def test_contains_searches_are_answered_from_the_trigram_indexes(session, db_url):
    """The filters' plans (without the pages' order, which a planner may take from a name index on a
    table this small, reading it whole)."""
    providers = select(Provider).where(provider_filter(session, "ander"))
    facilities = select(Facility).where(facility_filter(session, "imag"))
    provider_plan, facility_plan = _plan(session, providers), _plan(session, facilities)
    if _postgres(session):
        assert any("ix_providers_last_name_trgm" in line for line in provider_plan), provider_plan
        assert any("ix_facilities_name_trgm" in line for line in facility_plan), facility_plan
    else:
        assert any("providers_fts VIRTUAL TABLE" in line for line in provider_plan), provider_plan
        assert any("facilities_fts VIRTUAL TABLE" in line for line in facility_plan), facility_plan
    assert any("ix_providers_postal_code" in line for line in provider_plan), provider_plan
    assert any("ix_providers_npi" in line for line in provider_plan), provider_plan
    assert not _scans_whole(provider_plan, "providers"), provider_plan
    assert not _scans_whole(facility_plan, "facilities"), facility_plan


def test_the_servicing_search_comes_in_pages(session, demo_data):
    office = actor_for(session, "ordering")
    order_id = _draft(session, office)
    session.add_all([_provider(n, f"Quimby{chr(ord('a') + n)}") for n in range(14)])
    session.commit()

    def providers(page: int) -> list[str]:
        found = order_entry.search_servicing(
            session, actor=office, order_id=order_id, query="QUIMBY", page=page
        )
        return [p.name for p in found if p.kind == "provider"]

    assert providers(0) == [f"Alex Quimby{chr(ord('a') + n)}" for n in range(10)]
    assert providers(1) == [f"Alex Quimby{chr(ord('a') + n)}" for n in range(10, 14)]
    assert providers(2) == []


def _wizard(monkeypatch, session, office) -> OrderWizardState:
    """A wizard state whose service calls run on the test's session as ``office``."""
    import portal_app.portal_app  # noqa: F401  (registers every state)

    async def call_as_office(self, fn, **kwargs):
        return fn(session, actor=office, **kwargs)

    monkeypatch.setattr(OrderWizardState, "_call", call_as_office)
    root = rx.State(_reflex_internal_init=True)
    return root.get_substate(OrderWizardState.get_full_name().split(".")[1:])


def _run(wizard: OrderWizardState, handler: str, *args) -> None:
    """Drive an event handler past its guard, as Reflex would, in a thread with its own loop."""
    generator = getattr(OrderWizardState, handler).fn.__wrapped__(wizard, *args)

    async def drain():
        return [update async for update in generator]

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, drain()).result()


def test_the_wizard_pages_through_the_members_found(monkeypatch, session, demo_data):
    office = actor_for(session, "ordering")
    plan_id = member_by_number(session, "EVG100000012").plan_id
    firsts = [f"Kit{chr(ord('a') + n)}" for n in range(13)]
    session.add_all([_member(plan_id, first, "Vandersloot") for first in firsts])
    session.commit()
    wizard = _wizard(monkeypatch, session, office)
    wizard.order_id = _draft(session, office)
    wizard.last_name, wizard.birth_date = "vandersloot", BORN.isoformat()

    def shown() -> list[str]:
        return [m.name for m in wizard.members]

    _run(wizard, "search_members")
    assert shown() == [f"{first} Vandersloot" for first in firsts[:10]]
    assert (wizard.member_page, wizard.member_more) == (0, True)

    _run(wizard, "member_page_step", 1)
    assert shown() == [f"{first} Vandersloot" for first in firsts[10:]]
    assert (wizard.member_page, wizard.member_more) == (1, False)
    assert wizard.errors["member"] == ""

    _run(wizard, "member_page_step", -1)
    _run(wizard, "member_page_step", -1)  # never before the first page
    assert wizard.member_page == 0 and shown() == [f"{first} Vandersloot" for first in firsts[:10]]

    _run(wizard, "member_page_step", 1)
    _run(wizard, "search_members")  # a new search starts again at the first page
    assert wizard.member_page == 0 and wizard.member_more


def test_the_wizard_pages_through_the_diagnosis_codes_found(monkeypatch, session):
    from portal_app.reference.icd10 import search_diagnoses

    wizard = _wizard(monkeypatch, session, None)
    wizard.diagnosis_query = "angina"
    every_code = [d.code for d in search_diagnoses("angina", limit=1000)]
    assert DIAGNOSIS_PAGE_SIZE < len(every_code) <= 4 * DIAGNOSIS_PAGE_SIZE

    seen: list[str] = []
    _run(wizard, "search_diagnoses")
    while True:
        seen += [option.value for option in wizard.diagnosis_results]
        if not wizard.diagnosis_more:
            break
        _run(wizard, "diagnosis_page_step", 1)
    assert seen == every_code
    last = wizard.diagnosis_page
    assert last == (len(every_code) - 1) // DIAGNOSIS_PAGE_SIZE
    _run(wizard, "diagnosis_page_step", -1)
    earlier = every_code[(last - 1) * DIAGNOSIS_PAGE_SIZE : last * DIAGNOSIS_PAGE_SIZE]
    assert [o.value for o in wizard.diagnosis_results] == earlier and wizard.diagnosis_more
