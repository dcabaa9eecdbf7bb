"""Row 4: LIKE wildcards typed into a search match only themselves, and member search needs the
member ID or the last name with the date of birth. Over the real websocket."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from portal_app.models import Member
from portal_app.services.order_entry import MEMBER_SEARCH_CRITERIA
from portal_app.state.directory import DirectoryState
from portal_app.state.order_wizard import OrderWizardState
from tests.security.attacks import signed_in, state_name

DIRECTORY, NEW_ORDER = "/providers", "/orders/new"
D, W = state_name(DirectoryState), state_name(OrderWizardState)


def _directory(tab, text: str) -> int:
    tab.call(f"{D}.apply_filter", {"form_data": {"text": text}}, path=DIRECTORY)
    tab.settle()
    return tab.var(D, "total")


def test_a_wildcard_in_the_directory_matches_only_itself(portal):
    tab = signed_in(portal["url"], "nurse", DIRECTORY)
    try:
        assert _directory(tab, "Demoson") > 0
        # "_" alone is no test: imaging modalities such as pet_ct hold one for real.
        for wildcard in ("%", "%%", "\\", "D_moson", "Demo%"):
            assert _directory(tab, wildcard) == 0, wildcard
    finally:
        tab.close()


def _member_step(tab) -> None:
    plans = {o["label"]: o["value"] for o in tab.var(W, "plan_options")}
    for name, value in (
        ("plan_id", plans["Evergreen Mutual Health (demo)"]),
        ("service_date", (date.today() + timedelta(days=14)).isoformat()),
        ("program", "imaging"),
    ):
        tab.call(f"{W}.update_field", {"field": name, "value": value}, path=NEW_ORDER)
    tab.call(f"{W}.next_step", path=NEW_ORDER)
    tab.settle()
    assert tab.var(W, "step") == 1, tab.var(W, "errors")


def _search(tab, **fields) -> tuple[list, str]:
    for name in ("member_number", "last_name", "birth_date"):
        tab.call(f"{W}.update_field", {"field": name, "value": fields.get(name, "")}, path=NEW_ORDER)
    tab.call(f"{W}.search_members", path=NEW_ORDER)
    tab.settle()
    return tab.var(W, "members"), tab.var(W, "errors")["member"]


def test_member_search_takes_no_wildcard_and_needs_enough_criteria(portal, portal_db):
    # A member of the other practice's order: found only by whoever knows the whole last name.
    member = portal_db.exec(select(Member).where(Member.member_number == "EVG100000008")).one()
    tab = signed_in(portal["url"], "ordering", NEW_ORDER)
    try:
        _member_step(tab)
        birth = member.date_of_birth.isoformat()
        for wildcard in ("%", "_%", member.last_name[:3] + "%"):
            found, _ = _search(tab, last_name=wildcard, birth_date=birth)
            assert found == [], wildcard
        assert member.address_line not in str(tab.state)

        found, problem = _search(tab, last_name=member.last_name)
        assert found == [] and problem == MEMBER_SEARCH_CRITERIA
        found, problem = _search(tab, birth_date=birth)
        assert found == [] and problem == MEMBER_SEARCH_CRITERIA

        found, _ = _search(tab, last_name=member.last_name.upper(), birth_date=birth)
        assert member.member_number in [m["member_number"] for m in found]
    finally:
        tab.close()
