"""PAP device data: importing a manufacturer's export, matching it to a member, adherence.

Files arrive from an ordering office (the upload page) or from a device cloud
(``POST /api/device-data`` with the vendor's API key). Each is parsed
(``pap_compliance.parse_device_export``) and matched to a member by ID, name and date of birth
(``pap_compliance.match_member``): a match attaches its nights to that member; anything else
holds the file for support, attached to nobody (program tips, shared/seeds/000: the benefits
manager validates the member data the DME supplier registered). Support admins see the held
files and close them once the supplier has sent a corrected one.

A vendor's API key is shown once when created (``python -m portal_app.cli device-key NAME``);
only its SHA-256 is stored (the key is 32 random bytes, so a fast hash is enough).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain import pap_compliance
from portal_app.domain.enums import AuditOutcome, OrderStatus, Program
from portal_app.domain.file_types import sniff_media_type
from portal_app.domain.pap_compliance import ComplianceResult, DeviceExport, DeviceExportError
from portal_app.models import DeviceDataImport, DeviceNight, DeviceVendor, Member, Order
from portal_app.models.base import id_of
from portal_app.models.device_data import ImportSource, ImportStatus
from portal_app.services import audit
from portal_app.services.authz import Actor, require

MAX_FILE_BYTES = pap_compliance.MAX_EXPORT_BYTES
MAX_HELD_SHOWN = 200
KEY_PREFIX = "pcdv_"
_MEMBER_NUMBER = re.compile(r"[A-Za-z0-9 -]{1,40}")


class DeviceDataRefused(ValueError):
    """The file was not stored; the message says why, in plain words."""


class VendorNotAllowed(PermissionError):
    """No active vendor has this API key."""


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    attached: bool
    night_count: int
    first_night: date
    last_night: date
    reasons: tuple[str, ...] = ()  # why the file is held
    member_number: str = ""  # the member the nights now belong to (attached files only)
    compliance: MemberCompliance | None = None  # the member's adherence with this file (attached only)


@dataclass(frozen=True)
class MemberCompliance:
    """The member's adherence over the first 90 nights from the setup date, from their device data."""

    result: ComplianceResult
    setup_date: date
    setup_date_source: str  # where the setup date came from, in plain words
    nights_on_file: int
    first_night: date
    last_night: date
    last_import: datetime


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


# --- vendors and their keys ---


def create_vendor_key(session: Session, *, name: str) -> str:
    """Create the vendor (or give it a new key, which replaces the old one); returns the key.

    For operators (the CLI); the key is shown once and never stored in clear.
    """
    clean = " ".join((name or "").split())[:100]
    if not clean:
        raise ValueError("Give the vendor a name.")
    api_key = KEY_PREFIX + secrets.token_urlsafe(32)
    vendor = session.exec(select(DeviceVendor).where(DeviceVendor.name == clean)).first()
    if vendor is None:
        vendor = DeviceVendor(name=clean, key_hash=key_hash(api_key))
    vendor.key_hash, vendor.key_prefix = key_hash(api_key), api_key[:12]
    vendor.active, vendor.disabled_at = True, None
    session.add(vendor)
    session.flush()
    audit.record(
        session,
        action="device_vendor.key_issued",
        user_id=None,
        record_type="device_vendor",
        record_id=id_of(vendor),
        detail={"vendor": clean, "key_prefix": vendor.key_prefix},
    )
    session.commit()
    return api_key


def disable_vendor(session: Session, *, name: str) -> bool:
    vendor = session.exec(select(DeviceVendor).where(DeviceVendor.name == " ".join(name.split()))).first()
    if vendor is None:
        return False
    vendor.active, vendor.disabled_at = False, clock.now()
    session.add(vendor)
    audit.record(
        session,
        action="device_vendor.disabled",
        user_id=None,
        record_type="device_vendor",
        record_id=id_of(vendor),
    )
    session.commit()
    return True


def vendor_for_key(session: Session, api_key: str) -> DeviceVendor | None:
    if not api_key or len(api_key) > 200:
        return None
    vendor = session.exec(select(DeviceVendor).where(DeviceVendor.key_hash == key_hash(api_key))).first()
    return vendor if vendor is not None and vendor.active else None


# --- reading a file ---


def _read(content: bytes, filename: str) -> DeviceExport:
    if len(content) > MAX_FILE_BYTES:
        raise DeviceDataRefused(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    if sniff_media_type(content[:16]) is not None or b"\x00" in content[:4096]:
        raise DeviceDataRefused(
            "This is not a device export: upload the CSV or JSON file the device cloud exports."
        )
    try:
        return pap_compliance.parse_device_export(content, filename)
    except DeviceExportError as error:
        raise DeviceDataRefused(str(error)) from None


def _member_by_number(session: Session, number: str) -> Member | None:
    wanted = pap_compliance.normalize_member_id(number)
    if not wanted or len(wanted) > 40:
        return None
    return session.exec(select(Member).where(Member.member_number == wanted)).first()


def _store(
    session: Session,
    export: DeviceExport,
    *,
    content: bytes,
    filename: str,
    source: ImportSource,
    member: Member | None,
    reasons: tuple[str, ...],
    claimed: str = "",
    actor: Actor | None = None,
    vendor: DeviceVendor | None = None,
) -> DeviceDataImport:
    attached = member is not None and not reasons
    first_night, last_night = export.first_night, export.last_night
    if first_night is None or last_night is None:  # parse_export refuses a file without nights
        raise ValueError("a device export without nights cannot be stored")
    record = DeviceDataImport(
        status=ImportStatus.ATTACHED if attached else ImportStatus.HELD,
        source=source,
        member_id=id_of(member) if attached and member else None,
        vendor_id=vendor.id if vendor else None,
        uploaded_by_id=actor.user_id if actor else None,
        practice_id=actor.practice_ids[0] if actor and actor.practice_ids else None,
        claimed_member_number=claimed[:40],
        file_member_number=export.identity.member_id[:40],
        file_member_name=export.identity.name[:200],
        file_birth_date=export.identity.date_of_birth,
        filename=filename.replace("/", "_")[-255:],
        source_format=export.source_format,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        device_serial=export.device_serial[:100],
        device_model=export.device_model[:100],
        night_count=len(export.nights),
        first_night=first_night,
        last_night=last_night,
        hold_reason=" ".join(reasons)[:1000],
    )
    session.add(record)
    session.flush()
    session.add_all(
        DeviceNight(
            import_id=id_of(record),
            night=night.night,
            usage_minutes=night.usage_minutes,
            ahi=night.ahi,
            leak=night.leak,
        )
        for night in export.nights
    )
    audit.record(
        session,
        action="device_data.attached" if attached else "device_data.held",
        user_id=actor.user_id if actor else None,
        record_type="device_data_import",
        record_id=id_of(record),
        client_address=actor.client_address if actor else "",
        detail={
            "source": source.value,
            "vendor": vendor.name if vendor else "",
            "member_id": id_of(member) if attached and member else None,
            "nights": len(export.nights),
        },
    )
    return record


def _result(
    session: Session, record: DeviceDataImport, member: Member | None, reasons: tuple[str, ...]
) -> ImportResult:
    attached = record.status == ImportStatus.ATTACHED
    if attached and member is None:
        raise ValueError("an attached device data import needs its member")
    shown = member if attached else None
    return ImportResult(
        import_id=id_of(record),
        attached=attached,
        night_count=record.night_count,
        first_night=record.first_night,
        last_night=record.last_night,
        reasons=reasons,
        member_number=shown.member_number if shown else "",
        compliance=member_compliance(session, id_of(shown)) if shown else None,
    )


def _match(export: DeviceExport, member: Member | None, not_found: str) -> tuple[str, ...]:
    if member is None:
        return (not_found, "The file is held for support to check; it was not attached to any member.")
    match = pap_compliance.match_member(
        export.identity, member.member_number, f"{member.first_name} {member.last_name}", member.date_of_birth
    )
    return match.reasons


NO_ORDER_FOR_MEMBER = "Your office has no request on file for a member with the member ID you entered."


def _office_has_order_for(session: Session, actor: Actor, member: Member) -> bool:
    """The uploading office (one of the actor's practices) has a request for ``member``: submitted,
    or a draft past the member step (a resupply request is prepared while its device data comes)."""
    if not actor.practice_ids:
        return False
    return (
        session.exec(
            select(Order.id).where(
                Order.member_id == member.id,
                col(Order.practice_id).in_(actor.practice_ids),
            )
        ).first()
        is not None
    )


def upload_device_data(
    session: Session,
    *,
    actor: Actor,
    member_number: str,
    filename: str,
    content: bytes,
) -> ImportResult:
    """An office's upload for the member it names: attached when the office has a request on file
    for that member and the file's ID, name and date of birth all match that member, held for
    support otherwise (issue 17 row 11)."""
    require(session, actor, "device_data.upload")
    claimed = (member_number or "").strip()
    if not _MEMBER_NUMBER.fullmatch(claimed):
        raise DeviceDataRefused("Enter the member ID of the patient the file is for.")
    export = _read(content, filename or "")
    member = _member_by_number(session, claimed)
    if member is not None and not _office_has_order_for(session, actor, member):
        # Not this office's patient: held, and answered as for an unknown member ID, so the
        # upload form cannot be used to learn whether a member exists or what is on file.
        member = None
    reasons = _match(export, member, NO_ORDER_FOR_MEMBER)
    record = _store(
        session,
        export,
        content=content,
        filename=filename or "",
        source=ImportSource.UPLOAD,
        member=member,
        reasons=reasons,
        claimed=claimed,
        actor=actor,
    )
    session.commit()
    return _result(session, record, member, reasons)


def receive_from_vendor(
    session: Session,
    *,
    api_key: str,
    content: bytes,
    media_type: str,
    client_address: str = "",
) -> ImportResult:
    """A device cloud's file, matched to the member its own member ID names."""
    vendor = vendor_for_key(session, api_key)
    if vendor is None:
        audit.record(
            session,
            action="device_data.api_refused",
            user_id=None,
            outcome=AuditOutcome.DENIED,
            client_address=client_address,
            detail={"key_prefix": (api_key or "")[:12]},
        )
        session.commit()
        raise VendorNotAllowed()
    kind = (media_type or "").split(";")[0].strip().lower()
    filename = {"application/json": "device-export.json", "text/csv": "device-export.csv"}.get(kind)
    if filename is None:
        raise DeviceDataRefused("Send the file as application/json or text/csv.")
    export = _read(content, filename)
    member = _member_by_number(session, export.identity.member_id)
    reasons = _match(export, member, "No member has the member ID in the file.")
    record = _store(
        session,
        export,
        content=content,
        filename=filename,
        source=ImportSource.API,
        member=member,
        reasons=reasons,
        vendor=vendor,
    )
    session.commit()
    return _result(session, record, member, reasons)


# --- a member's nights and adherence ---


def member_nights(session: Session, member_id: int) -> tuple[dict[date, int], list[DeviceDataImport]]:
    """The member's usage minutes by night from their attached files (a later file wins a night)."""
    imports = list(
        session.exec(
            select(DeviceDataImport)
            .where(DeviceDataImport.member_id == member_id, DeviceDataImport.status == ImportStatus.ATTACHED)
            .order_by(col(DeviceDataImport.received_at), col(DeviceDataImport.id))
        ).all()
    )
    usage: dict[date, int] = {}
    for record in imports:
        for night, minutes in session.exec(
            select(col(DeviceNight.night), col(DeviceNight.usage_minutes)).where(
                DeviceNight.import_id == record.id
            )
        ).all():
            usage[night] = minutes
    return usage, imports


def _setup_date_on_file(session: Session, member_id: int) -> date | None:
    """The setup date of the member's latest PAP device request (its date of service if none was given)."""
    orders = session.exec(
        select(Order)
        .where(
            Order.member_id == member_id,
            Order.program == Program.SLEEP,
            col(Order.order_number).is_not(None),
            col(Order.status).not_in(
                (OrderStatus.VOLUNTARILY_CANCELLED.value, OrderStatus.NOT_REVIEWED_ERROR_ENTRY.value)
            ),
        )
        .order_by(col(Order.service_start).desc(), col(Order.id).desc())
        .limit(50)
    ).all()
    for order in orders:
        if order.details.get("request_kind") in ("pap_device", "pap_continued"):
            try:
                return date.fromisoformat(str(order.details.get("setup_date") or ""))
            except ValueError:
                if order.details.get("request_kind") == "pap_device":
                    return order.service_start
    return None


def member_compliance(
    session: Session, member_id: int, setup_date: date | None = None
) -> MemberCompliance | None:
    """The member's adherence from their device data (None when no data is attached).

    The setup date is the one given, else the one on the member's PAP device request, else the
    first night of data on file.
    """
    usage, imports = member_nights(session, member_id)
    if not usage:
        return None
    source = "as entered on this request"
    if setup_date is None:
        setup_date, source = _setup_date_on_file(session, member_id), "from the member's PAP device request"
    if setup_date is None:
        setup_date, source = min(usage), "the first night of device data on file"
    return MemberCompliance(
        result=pap_compliance.evaluate(usage, setup_date),
        setup_date=setup_date,
        setup_date_source=source,
        nights_on_file=len(usage),
        first_night=min(usage),
        last_night=max(usage),
        last_import=imports[-1].received_at,
    )


# --- held files, for support ---


@dataclass(frozen=True)
class HeldImport:
    import_id: int
    received_at: str
    source: str
    claimed_member_number: str
    file_member_number: str
    file_member_name: str
    file_birth_date: str
    nights: str
    reason: str


def held_imports(session: Session, *, actor: Actor) -> list[HeldImport]:
    """Files held as mismatches, oldest first."""
    require(session, actor, "device_data.review_held")
    from portal_app.models import User

    rows = session.exec(
        select(DeviceDataImport)
        .where(DeviceDataImport.status == ImportStatus.HELD)
        .order_by(col(DeviceDataImport.received_at), col(DeviceDataImport.id))
        .limit(MAX_HELD_SHOWN)
    ).all()
    held = []
    for row in rows:
        if row.vendor_id:
            vendor = session.get(DeviceVendor, row.vendor_id)
            sender = f"Device cloud: {vendor.name}" if vendor else "Device cloud"
        else:
            user = session.get(User, row.uploaded_by_id) if row.uploaded_by_id else None
            sender = f"Upload by {user.full_name}" if user else "Upload"
        held.append(
            HeldImport(
                import_id=id_of(row),
                received_at=row.received_at.strftime("%Y-%m-%d %H:%M UTC"),
                source=sender,
                claimed_member_number=row.claimed_member_number,
                file_member_number=row.file_member_number,
                file_member_name=row.file_member_name,
                file_birth_date=row.file_birth_date.isoformat(),
                nights=(
                    f"{row.night_count} nights, {row.first_night.isoformat()} to {row.last_night.isoformat()}"
                ),
                reason=row.hold_reason,
            )
        )
    audit.record(
        session,
        action="device_data.held_listed",
        user_id=actor.user_id,
        client_address=actor.client_address,
        detail={"count": len(held)},
    )
    session.commit()
    return held


def dismiss_held(session: Session, *, actor: Actor, import_id: int, note: str) -> None:
    """Close a held file (it stays on record, attached to nobody)."""
    require(session, actor, "device_data.review_held", record=f"device_data_import:{import_id}")
    text = " ".join((note or "").split())
    if len(text) < 5:
        raise ValueError(
            "Say what was done about the file (for example: the supplier sent a corrected file)."
        )
    record = session.get(DeviceDataImport, import_id)
    if record is None or record.status != ImportStatus.HELD:
        raise LookupError(import_id)
    record.status, record.resolved_by_id, record.resolved_at = (
        ImportStatus.DISMISSED,
        actor.user_id,
        clock.now(),
    )
    record.resolution_note = text[:1000]
    session.add(record)
    audit.record(
        session,
        action="device_data.dismissed",
        user_id=actor.user_id,
        record_type="device_data_import",
        record_id=id_of(record),
        client_address=actor.client_address,
    )
    session.commit()
