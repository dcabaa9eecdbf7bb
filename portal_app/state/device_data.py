"""PAP device data: the office's upload page and the support admins' list of held files."""

from __future__ import annotations

import reflex as rx

from portal_app.domain.enums import Role
from portal_app.programs.sleep.domain import adherence_text
from portal_app.services import device_data
from portal_app.services.device_data import DeviceDataRefused, HeldImport
from portal_app.state.auth import authorized, call_service
from portal_app.state.validation import as_int

MAX_NOTE = 1000


# Reused as is: the service's device_data.HeldImport holds just what the page shows.
HeldRow = HeldImport


class DeviceDataUploadState(rx.State):
    member_number: str = ""
    result: str = ""
    details: list[str] = []
    reasons: list[str] = []
    error: str = ""
    attached: bool = False

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def load_page(self):
        self.result, self.details, self.reasons, self.error, self.attached = "", [], [], "", False

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def update_member_number(self, value: str):
        if isinstance(value, str):
            self.member_number = value[:40]

    @rx.event
    @authorized(Role.ORDERING_PROVIDER_STAFF)
    async def upload_file(self, files: list[rx.UploadFile]):
        """Import one device file for the member named above."""
        self.result, self.details, self.reasons, self.error, self.attached = "", [], [], "", False
        if not files:
            self.error = "Choose the device file to upload."
            return
        upload = files[0]
        content = await upload.read(device_data.MAX_FILE_BYTES + 1)
        name = str(upload.name or upload.filename or "device-data")[:255]
        try:
            found = await call_service(
                device_data.upload_device_data,
                member_number=self.member_number,
                filename=name,
                content=content,
            )
        except DeviceDataRefused as refused:
            self.error = f"{name}: {refused}"
            return
        span = f"{found.night_count} nights, {found.first_night:%m/%d/%Y} to {found.last_night:%m/%d/%Y}"
        if not found.attached:
            self.result = f"{name} is held for support: it was not attached to any member ({span})."
            self.reasons = list(found.reasons)
            return
        self.attached = True
        self.result = f"{name} was added to member {found.member_number}'s device data ({span})."
        if found.compliance is not None:
            outcome = found.compliance.result
            self.details = [
                adherence_text(outcome.compliant, outcome.window_start, outcome.nights_over_4h),
                f"Counted from {found.compliance.setup_date:%m/%d/%Y} "
                f"({found.compliance.setup_date_source}). "
                f"It is filled in on the member's next continued-coverage or supplies request.",
            ]


class HeldDeviceDataState(rx.State):
    held: list[HeldRow] = []
    message: str = ""
    error: str = ""

    async def _reload(self) -> None:
        rows = await call_service(device_data.held_imports)
        self.held = list(rows)

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def load_page(self):
        self.message = self.error = ""
        await self._reload()

    @rx.event
    @authorized(Role.SUPPORT_ADMIN)
    async def dismiss(self, form: dict):
        """Close a held file with what was done about it."""
        if not isinstance(form, dict):
            return
        import_id = as_int(form.get("import_id", ""))
        note = str(form.get("note") or "")[:MAX_NOTE]
        try:
            await call_service(device_data.dismiss_held, import_id=import_id, note=note)
        except ValueError as problem:
            self.error, self.message = str(problem), ""
            return
        except LookupError:
            self.error, self.message = "That file is no longer held.", ""
        else:
            self.error, self.message = "", "The file is closed; it stays attached to nobody."
        await self._reload()
