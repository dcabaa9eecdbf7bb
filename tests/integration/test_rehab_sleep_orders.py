"""Rehabilitation and sleep requests through the wizard's services: the episode of care (its
initial evaluation date prefilled and kept, the baseline score), the visit allocation deciding
the determination (full or reduced visits, with the reasons on the summary), PAP device data
imported by upload or by a device cloud's API key (matched, or held for support and attached to
nobody), adherence prefilled into a supplies request, and supply limits.

Each test arranges its data the way the wizard step does: the step asks the services for the
episode or the device data, then saves the answers with what they returned.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app import cli, db
from portal_app.api.device_data_routes import DEVICE_DATA_ROUTES
from portal_app.models import DeviceDataImport, DeviceVendor, Order, OrderLine
from portal_app.services import device_data, episodes, sleep_requests
from portal_app.services import order_entry as entry
from portal_app.services.authz import PermissionDenied
from portal_app.services.demo_data import load_demo_data
from portal_app.services.order_submission import submit_order
from portal_app.services.orders import get_order_summary
from portal_app.settings import get_settings
from tests.conftest import BACKENDS
from tests.integration.order_helpers import SERVICE, TODAY, actor_for, draft_order, member_by_number

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

LKS_MEMBER = "LKS100000005"
EVG_MEMBER = "EVG100000016"
EPISODE_START = "2026-07-27"
FIRST_VISIT = date(2026, 8, 3)  # the first treatment request, long before SERVICE (no overlapping window)
FIRST_PT = {
    "discipline": "PT",
    "request_type": "first_treatment",
    "body_region": "low_back",
    "initial_evaluation_date": EPISODE_START,
    "outcome_tool": "ODI",
    "current_score": 40,
}
SECOND_PT = {**FIRST_PT, "request_type": "later_treatment", "current_score": 34}


@pytest.fixture
def demo(session, demo_data):
    load_demo_data(session)
    return session


def _backdate(session, order_id: int, when: date) -> None:
    order = session.get(Order, order_id)
    order.service_start = when
    session.add(order)
    session.commit()


def _quantities(session, order_id: int) -> list[int]:
    return [
        line.quantity for line in session.exec(select(OrderLine).where(OrderLine.order_id == order_id)).all()
    ]


def _first_pt_request(session, office) -> str:
    order_id = draft_order(
        session,
        office,
        member=LKS_MEMBER,
        program="rehabilitation",
        details=FIRST_PT,
        codes=["97110", "97140"],
        diagnoses=["M54.50"],
    )
    assert episodes.apply_visit_allocation(session, actor=office, order_id=order_id) == 10
    _backdate(session, order_id, FIRST_VISIT)
    result = submit_order(session, actor=office, order_id=order_id, today=FIRST_VISIT)
    assert result.status == "Authorized", result
    return result.order_number


def _with_episode(session, office, order_id: int, details: dict) -> dict:
    """The answers with what the wizard step prefills from the episode."""
    found = episodes.find_episode(
        session,
        actor=office,
        order_id=order_id,
        discipline=details["discipline"],
        body_region=details["body_region"],
    )
    return {
        **details,
        "episode_initial_evaluation_date": found.initial_evaluation_date.isoformat(),
        "baseline_tool": found.baseline_tool,
        "baseline_score": found.baseline_score,
        "visits_authorized_this_year": found.visits_authorized_this_year,
    }


def _second_pt_request(session, office, details: dict) -> int:
    order_id = draft_order(
        session,
        office,
        member=LKS_MEMBER,
        program="rehabilitation",
        details=details,
        codes=["97110", "97140"],
        diagnoses=["M54.50"],
    )
    saved = entry.save_program_details(
        session,
        actor=office,
        order_id=order_id,
        details=_with_episode(session, office, order_id, details),
        codes=["97110", "97140"],
    )
    assert saved.ok, saved.errors
    return order_id


# --- rehabilitation ---


def test_a_later_request_finds_the_episode_and_keeps_its_initial_evaluation_date(demo):
    office = actor_for(demo)
    first = _first_pt_request(demo, office)
    order_id = draft_order(
        demo,
        office,
        member=LKS_MEMBER,
        program="rehabilitation",
        details=SECOND_PT,
        codes=["97110"],
        diagnoses=["M54.50"],
    )
    found = episodes.find_episode(
        demo, actor=office, order_id=order_id, discipline="PT", body_region="low_back"
    )
    assert found.initial_evaluation_date == date.fromisoformat(EPISODE_START)
    assert (found.baseline_tool, found.baseline_score, found.baseline_order_number) == ("ODI", 40.0, first)
    assert [r.order_number for r in found.requests] == [first] and found.visits_authorized == 10
    assert found.visits_authorized_this_year == 10
    # Another body region is another episode.
    other = episodes.find_episode(demo, actor=office, order_id=order_id, discipline="PT", body_region="neck")
    assert other.initial_evaluation_date is None and other.visits_authorized_this_year == 10

    prefilled = _with_episode(demo, office, order_id, SECOND_PT)
    moved = {**prefilled, "initial_evaluation_date": "2026-08-10"}
    refused = entry.save_program_details(
        demo, actor=office, order_id=order_id, details=moved, codes=["97110"]
    )
    assert "07/27/2026" in refused.errors["initial_evaluation_date"]
    assert "say why" in refused.errors["initial_evaluation_date"]
    explained = {**moved, "initial_evaluation_date_reason": "The first request had the date of the referral."}
    assert entry.save_program_details(
        demo, actor=office, order_id=order_id, details=explained, codes=["97110"]
    ).ok


def test_a_second_pt_request_with_little_odi_progress_gets_the_reduced_allocation_with_the_reason(demo):
    office = actor_for(demo)
    _first_pt_request(demo, office)
    order_id = _second_pt_request(demo, office, SECOND_PT)
    assert episodes.apply_visit_allocation(demo, actor=office, order_id=order_id) == 4
    assert _quantities(demo, order_id) == [4, 4]
    result = submit_order(demo, actor=office, order_id=order_id, today=TODAY)
    assert result.status == "Authorized", result  # the reduced number, as the program FAQ describes

    summary = get_order_summary(demo, actor=office, order_number=result.order_number)
    [criterion] = summary.lines[0].criteria
    assert criterion.startswith("Met: Visits recommended: 4 (the usual allocation is 10).")
    assert (
        "The Oswestry Disability Index (ODI) score improved by 6 points, less than its minimal clinically "
        "important difference of 10 points, and no mitigating factor"
    ) in criterion
    details = dict(summary.details)
    assert details["Change from baseline"].startswith("40 to 34: improved by 6 points, which is below")


def test_progress_of_at_least_the_mcid_gets_the_full_allocation(demo):
    office = actor_for(demo)
    _first_pt_request(demo, office)
    order_id = _second_pt_request(demo, office, {**SECOND_PT, "current_score": 30})
    assert episodes.apply_visit_allocation(demo, actor=office, order_id=order_id) == 10
    result = submit_order(demo, actor=office, order_id=order_id, today=TODAY)
    assert result.status == "Authorized"
    [criterion] = get_order_summary(demo, actor=office, order_number=result.order_number).lines[0].criteria
    assert criterion.startswith("Met: Visits recommended: 10.")
    assert "at least its minimal clinically important difference of 10 points" in criterion


def test_a_mitigating_factor_explains_little_progress_and_more_visits_than_recommended_go_to_a_nurse(demo):
    office = actor_for(demo)
    _first_pt_request(demo, office)
    factor = {**SECOND_PT, "mitigating_factors": ["illness_or_hospitalization"]}
    explained = _second_pt_request(demo, office, factor)
    assert episodes.apply_visit_allocation(demo, actor=office, order_id=explained) == 10

    def resave(details: dict) -> None:
        assert entry.save_program_details(
            demo,
            actor=office,
            order_id=explained,
            codes=["97110"],
            details=_with_episode(demo, office, explained, details),
        ).ok

    resave({**factor, "visits_requested": 6})
    assert episodes.apply_visit_allocation(demo, actor=office, order_id=explained) == 6  # fewer: as asked
    resave({**SECOND_PT, "visits_requested": 12})
    assert (
        episodes.apply_visit_allocation(demo, actor=office, order_id=explained) == 12
    )  # more: a nurse decides
    result = submit_order(demo, actor=office, order_id=explained, today=TODAY)
    assert result.status == "In Progress"
    [line] = get_order_summary(demo, actor=office, order_number=result.order_number).lines
    assert line.decision == "Pended" and "rehab.visits_requested" in line.reason


# --- sleep: device data ---


def _device_csv(
    member, setup: date, minutes: list[int], *, birth: date | None = None, name: str = ""
) -> bytes:
    rows = ["member_id,member_name,date_of_birth,date,usage_minutes,ahi,leak"]
    for offset, used in enumerate(minutes):
        rows.append(
            ",".join(
                [
                    member.member_number,
                    name or f"{member.first_name} {member.last_name}",
                    (birth or member.date_of_birth).isoformat(),
                    (setup + timedelta(days=offset)).isoformat(),
                    str(used),
                    "2.4",
                    "11.5",
                ]
            )
        )
    return ("\n".join(rows) + "\n").encode()


SETUP = date(2026, 8, 1)
# Ten short nights, then 24 of 30 nights over 4 hours (nights 11 to 40), then short nights again.
USAGE = [180] * 10 + ([0] + [300] * 4) * 6 + [200] * 50
SUPPLIES = {
    "request_kind": "supplies",
    "device_model": "AirSense 10",
    "supplies": [{"item": "A7032", "quantity": 2}],
}


def _sleep_draft(session, office, details: dict, codes: list[str], service: date = SERVICE) -> int:
    return draft_order(
        session,
        office,
        member=EVG_MEMBER,
        program="sleep",
        details=details,
        codes=codes,
        diagnoses=["G47.33"],
        service=service,
    )


def _with_history(session, office, order_id: int, details: dict) -> dict:
    """The answers with what the sleep step prefills: adherence, earlier supplies, grace days."""
    history = sleep_requests.sleep_history(session, actor=office, order_id=order_id)
    found = history.compliance.result if history.compliance else None
    return {
        **details,
        "adherence_compliant": found.compliant if found else None,
        "adherence_window_start": found.window_start.isoformat() if found and found.window_start else None,
        "adherence_nights_over_4h": found.nights_over_4h if found else None,
        "previous_dispenses": [
            {"item": d.item, "dispensed_on": d.dispensed_on.isoformat(), "quantity": d.quantity}
            for d in history.previous_dispenses
        ],
        "grace_days": history.grace_days,
    }


def test_an_uploaded_device_file_is_matched_and_its_adherence_prefilled_into_a_supplies_request(demo):
    office, member = actor_for(demo), member_by_number(demo, EVG_MEMBER)
    # The office prepares the supplies request, then uploads the member's device data.
    order_id = _sleep_draft(demo, office, SUPPLIES, ["A7032"])
    result = device_data.upload_device_data(
        demo,
        actor=office,
        member_number=EVG_MEMBER.lower(),
        filename="airview.csv",
        content=_device_csv(member, SETUP, USAGE),
    )
    assert result.attached and result.member_number == EVG_MEMBER and result.night_count == 90
    adherence = result.compliance.result
    assert (adherence.compliant, adherence.window_start, adherence.nights_over_4h) == (
        True,
        SETUP + timedelta(days=10),
        24,
    )
    assert result.compliance.setup_date_source == "the first night of device data on file"

    history = sleep_requests.sleep_history(demo, actor=office, order_id=order_id)
    assert history.compliance.result.compliant and history.compliance.nights_on_file == 90
    assert entry.save_program_details(
        demo,
        actor=office,
        order_id=order_id,
        codes=["A7032"],
        details=_with_history(demo, office, order_id, SUPPLIES),
    ).ok
    sleep_requests.apply_supply_quantities(demo, actor=office, order_id=order_id)
    assert _quantities(demo, order_id) == [2]
    submitted = submit_order(demo, actor=office, order_id=order_id, today=TODAY)
    assert submitted.status == "Authorized", submitted
    summary = get_order_summary(demo, actor=office, order_number=submitted.order_number)
    assert dict(summary.details)["PAP use from device data"].startswith(
        "24 of 30 nights with 4 hours of use or more, from 08/11/2026 to 09/09/2026 (80 %): this meets"
    )


def test_a_file_that_does_not_match_is_held_for_support_and_attached_to_nobody(demo):
    office, support = actor_for(demo), actor_for(demo, "support")
    member, other = member_by_number(demo, EVG_MEMBER), member_by_number(demo, "EVG100000020")
    _sleep_draft(demo, office, SUPPLIES, ["A7032"])  # the office's request for the member
    wrong_birth = _device_csv(member, SETUP, USAGE, birth=member.date_of_birth + timedelta(days=1))
    held = device_data.upload_device_data(
        demo, actor=office, member_number=EVG_MEMBER, filename="a.csv", content=wrong_birth
    )
    assert not held.attached and held.member_number == "" and held.compliance is None
    assert "The date of birth in the file does not match the member's date of birth." in held.reasons
    # Another member's file, entered for this member: not attached to either of them.
    theirs = device_data.upload_device_data(
        demo,
        actor=office,
        member_number=EVG_MEMBER,
        filename="b.csv",
        content=_device_csv(other, SETUP, USAGE),
    )
    assert (
        not theirs.attached and "The member ID in the file does not match the member's ID." in theirs.reasons
    )
    assert device_data.member_nights(demo, member.id) == ({}, [])
    assert device_data.member_nights(demo, other.id) == ({}, [])
    assert {r.member_id for r in demo.exec(select(DeviceDataImport)).all()} == {None}

    with pytest.raises(PermissionDenied):
        device_data.held_imports(demo, actor=office)
    listed = device_data.held_imports(demo, actor=support)
    assert [row.import_id for row in listed] == [held.import_id, theirs.import_id]
    assert listed[0].file_member_number == EVG_MEMBER and "date of birth" in listed[0].reason
    device_data.dismiss_held(
        demo, actor=support, import_id=held.import_id, note="Supplier asked to re-export."
    )
    assert [row.import_id for row in device_data.held_imports(demo, actor=support)] == [theirs.import_id]


def test_device_data_is_attached_only_for_a_member_the_office_has_a_request_for(demo):
    office, member = actor_for(demo), member_by_number(demo, EVG_MEMBER)
    content = _device_csv(member, SETUP, USAGE)
    held = device_data.upload_device_data(
        demo, actor=office, member_number=EVG_MEMBER, filename="a.csv", content=content
    )
    assert not held.attached and held.reasons[0] == device_data.NO_ORDER_FOR_MEMBER
    unknown = device_data.upload_device_data(
        demo, actor=office, member_number="EVG999999999", filename="b.csv", content=content
    )
    assert unknown.reasons == held.reasons  # the answer does not tell that the member exists
    assert device_data.member_nights(demo, member.id) == ({}, [])
    _sleep_draft(demo, office, SUPPLIES, ["A7032"])
    assert device_data.upload_device_data(
        demo, actor=office, member_number=EVG_MEMBER, filename="c.csv", content=content
    ).attached


@pytest.fixture
def api(demo, db_url, monkeypatch):
    """The device-data route on the test database, as the portal mounts it."""

    def reset():
        get_settings.cache_clear()
        if db.get_engine.cache_info().currsize:
            db.get_engine().dispose()
        db.get_engine.cache_clear()

    monkeypatch.setenv("DB_URL", db_url)
    reset()
    with TestClient(Starlette(routes=DEVICE_DATA_ROUTES)) as client:
        yield client
    reset()


def test_the_device_cloud_endpoint_takes_a_valid_key_only(demo, api, capsys):
    member = member_by_number(demo, EVG_MEMBER)
    assert cli.main(["device-key", "Demo device cloud"]) == 0  # operators issue keys from the command line
    key = capsys.readouterr().out.splitlines()[1]
    assert key.startswith("pcdv_")
    demo.expire_all()
    vendor = demo.exec(select(DeviceVendor)).one()
    assert vendor.key_hash == device_data.key_hash(key) and key not in (vendor.key_hash, vendor.key_prefix)
    csv = _device_csv(member, SETUP, USAGE)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "text/csv"}

    assert api.post("/api/device-data", content=csv, headers={"Content-Type": "text/csv"}).status_code == 401
    wrong = api.post(
        "/api/device-data", content=csv, headers={**headers, "Authorization": "Bearer pcdv_wrong"}
    )
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    assert (
        api.post(
            "/api/device-data", content=csv, headers={**headers, "Content-Type": "text/plain"}
        ).status_code
        == 415
    )
    unreadable = api.post("/api/device-data", content=b"member_id,date\nX,2026-01-01\n", headers=headers)
    assert unreadable.status_code == 422 and "no column for" in unreadable.json()["error"]

    accepted = api.post("/api/device-data", content=csv, headers=headers)
    assert accepted.status_code == 201 and accepted.json()["status"] == "attached"
    assert accepted.json()["nights"] == 90
    demo.expire_all()
    usage, _ = device_data.member_nights(demo, member.id)
    assert len(usage) == 90

    json_file = (
        f'{{"member": {{"member_id": "{member.member_number}", "name": "Someone Else", '
        f'"date_of_birth": "{member.date_of_birth.isoformat()}"}}, '
        '"nights": [{"date": "2026-08-01", "usage_minutes": 300}]}'
    ).encode()
    held = api.post(
        "/api/device-data", content=json_file, headers={**headers, "Content-Type": "application/json"}
    )
    assert held.status_code == 202 and held.json() == {
        "status": "held_for_support",
        "import_id": held.json()["import_id"],
    }

    device_data.disable_vendor(demo, name="Demo device cloud")
    assert api.post("/api/device-data", content=csv, headers=headers).status_code == 401
    # A new key replaces the old one.
    renewed = device_data.create_vendor_key(demo, name="Demo device cloud")
    assert (
        api.post(
            "/api/device-data", content=csv, headers={**headers, "Authorization": f"Bearer {renewed}"}
        ).status_code
        == 201
    )
    assert api.post("/api/device-data", content=csv, headers=headers).status_code == 401


# --- sleep: supply limits ---


def test_a_supply_over_its_limit_is_refused_with_the_item_and_the_date_it_is_next_allowed(demo):
    office = actor_for(demo)
    earlier = _sleep_draft(demo, office, {**SUPPLIES, "adherence_compliant": True}, ["A7032"])
    sleep_requests.apply_supply_quantities(demo, actor=office, order_id=earlier)
    _backdate(demo, earlier, date(2026, 11, 10))
    assert submit_order(demo, actor=office, order_id=earlier, today=date(2026, 11, 10)).status == "Authorized"

    order_id = _sleep_draft(demo, office, SUPPLIES, ["A7032"])
    prefilled = _with_history(demo, office, order_id, SUPPLIES)
    assert prefilled["previous_dispenses"] == [{"item": "A7032", "dispensed_on": "2026-11-10", "quantity": 2}]
    refused = entry.save_program_details(
        demo, actor=office, order_id=order_id, details=prefilled, codes=["A7032"]
    )
    assert refused.errors["supplies"] == (
        "Nasal mask cushion (A7032): at most 2 per month; 2 already supplied since 11/10/2026. "
        "The 2 requested can be supplied from 12/10/2026."
    )
    # Headgear has not been supplied: it may be.
    headgear = {**prefilled, "supplies": [{"item": "A7035", "quantity": 1}]}
    assert entry.save_program_details(
        demo, actor=office, order_id=order_id, details=headgear, codes=["A7035"]
    ).ok


def test_a_recalled_device_model_carries_its_notice_to_the_summary(demo):
    office = actor_for(demo)
    details = {
        "request_kind": "pap_device",
        "device_type": "cpap",
        "device_model": "Philips DreamStation",
        "diagnostic_index": 22,
    }
    order_id = _sleep_draft(demo, office, details, ["E0601"])
    result = submit_order(demo, actor=office, order_id=order_id, today=TODAY)
    assert result.status == "Authorized"
    summary = get_order_summary(demo, actor=office, order_number=result.order_number)
    assert "voluntarily recalled this device model" in dict(summary.details)["Recall notice"]
