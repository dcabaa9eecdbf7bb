"""Row 11: device data is attached only when the uploading office has a request for that member.
The office uploads through ``/_upload`` as the browser does."""

from __future__ import annotations

from sqlmodel import select

from portal_app.domain.enums import OrderStatus, Program
from portal_app.domain.order_numbers import new_order_number
from portal_app.models import DeviceDataImport, Member, Order, Practice, User
from portal_app.models.device_data import ImportStatus
from portal_app.state.device_data import DeviceDataUploadState
from tests.security.attacks import device_csv, signed_in, state_name, upload

PAGE = "/sleep/device-data"
S = state_name(DeviceDataUploadState)


def _member_without_a_request_of(portal_db, practice: Practice) -> Member:
    """A member of Evergreen for whom Maple Street has no request at all."""
    theirs = select(Order.member_id).where(Order.practice_id == practice.id, Order.member_id.is_not(None))
    return portal_db.exec(
        select(Member)
        .where(Member.member_number.like("EVG%"), Member.id.not_in(theirs))
        .order_by(Member.id.desc())
    ).first()


def _upload_for(portal, tab, member) -> int:
    tab.call(f"{S}.update_member_number", {"value": member.member_number}, path=PAGE)
    status, _ = upload(portal["url"], tab, f"{S}.upload_file", "airview.csv", device_csv(member))
    return status


def _latest_import(portal_db, member) -> DeviceDataImport:
    portal_db.expire_all()
    return portal_db.exec(
        select(DeviceDataImport)
        .where(DeviceDataImport.claimed_member_number == member.member_number)
        .order_by(DeviceDataImport.id.desc())
    ).first()


def test_device_data_for_another_offices_patient_is_held_not_attached(portal, portal_db):
    practice = portal_db.exec(select(Practice).where(Practice.tax_id == "90-1000001")).one()
    member = _member_without_a_request_of(portal_db, practice)
    tab = signed_in(portal["url"], "ordering", PAGE)
    try:
        assert _upload_for(portal, tab, member) == 200
        held = _latest_import(portal_db, member)
        assert held.status == ImportStatus.HELD and held.member_id is None

        # Once the office has a request for the member, the same file attaches.
        office = portal_db.exec(select(User).where(User.username == "ordering")).one()
        portal_db.add(
            Order(
                order_number=new_order_number(2026),
                program=Program.SLEEP,
                plan_id=member.plan_id,
                member_id=member.id,
                practice_id=practice.id,
                status=OrderStatus.IN_PROGRESS,
                created_by_id=office.id,
                updated_by_id=office.id,
            )
        )
        portal_db.commit()
        assert _upload_for(portal, tab, member) == 200
        attached = _latest_import(portal_db, member)
        assert attached.id != held.id and attached.status == ImportStatus.ATTACHED
        assert attached.member_id == member.id
    finally:
        tab.close()
