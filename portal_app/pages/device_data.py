"""PAP device data pages: the office's upload, and the files held for support."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input, notice_box, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.state.device_data import DeviceDataUploadState, HeldDeviceDataState, HeldRow

U = DeviceDataUploadState
H = HeldDeviceDataState
UPLOAD_ID = "device_file"


def device_data_page() -> rx.Component:
    return page_shell(
        page_heading("PAP device data"),
        rx.text(
            "Upload a member's PAP usage as exported from the device maker's website: a CSV file with one "
            "row per night (member ID, member name, date of birth, date, usage minutes, and optionally AHI "
            "and leak) or the same as JSON. The file is added to the member's records only when its member "
            "ID, name and date of birth all match the member; otherwise support checks it, and it is not "
            "attached to anyone.",
            size="2",
        ),
        rx.vstack(
            labelled_input(
                "Member ID",
                name="device_member_number",
                value=U.member_number,
                on_change=U.update_member_number,
            ),
            rx.upload(
                rx.vstack(
                    rx.text("Drop the CSV or JSON file here (5 MB at most), or"),
                    rx.button("Choose file", type="button", variant="outline"),
                    align="center",
                ),
                id=UPLOAD_ID,
                multiple=False,
                accept={"text/csv": [".csv"], "application/json": [".json"]},
                border="1px dashed var(--gray-7)",
                padding="1em",
                width="100%",
            ),
            rx.hstack(rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.badge(name))),
            rx.button("Upload device data", on_click=U.upload_file(rx.upload_files(upload_id=UPLOAD_ID))),
            problem_callout(U.error),
            rx.cond(
                U.result != "",
                notice_box(
                    rx.text(U.result, font_weight="600"),
                    rx.el.ul(rx.foreach(U.details, lambda line: rx.el.li(line))),
                    rx.el.ul(
                        rx.foreach(U.reasons, lambda line: rx.el.li(line)), aria_label="Why the file is held"
                    ),
                    color=rx.cond(U.attached, "green", "amber"),
                    role="status",
                ),
            ),
            spacing="3",
            width="100%",
            margin_top="1em",
        ),
    )


def _held(row: rx.Var[HeldRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Held file ", row.import_id, size="3", as_="h2"),
            rx.data_list.root(
                rx.data_list.item(rx.data_list.label("Received"), rx.data_list.value(row.received_at)),
                rx.data_list.item(rx.data_list.label("From"), rx.data_list.value(row.source)),
                rx.data_list.item(
                    rx.data_list.label("Member ID entered"), rx.data_list.value(row.claimed_member_number)
                ),
                rx.data_list.item(
                    rx.data_list.label("In the file"),
                    rx.data_list.value(
                        row.file_member_name + ", " + row.file_member_number + ", born " + row.file_birth_date
                    ),
                ),
                rx.data_list.item(rx.data_list.label("Nights"), rx.data_list.value(row.nights)),
                rx.data_list.item(rx.data_list.label("Why held"), rx.data_list.value(row.reason)),
            ),
            rx.form(
                rx.hstack(
                    rx.el.input(type="hidden", name="import_id", value=row.import_id.to_string()),
                    rx.vstack(
                        rx.el.label("What was done", html_for="note-" + row.import_id.to_string()),
                        rx.input(id="note-" + row.import_id.to_string(), name="note", width="100%"),
                        width="100%",
                    ),
                    rx.button("Close this file", type="submit", margin_top="1.4em"),
                    width="100%",
                    align="start",
                ),
                on_submit=H.dismiss,
                reset_on_submit=True,
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        role="group",
        aria_label="Held file " + row.import_id.to_string(),
        width="100%",
    )


def held_device_data_page() -> rx.Component:
    return page_shell(
        page_heading("Device data held for support"),
        rx.text(
            "Files whose member ID, name or date of birth did not match a member. They are attached to "
            "nobody; ask the supplier for a corrected file, then close them here.",
            size="2",
        ),
        problem_callout(H.message, color="green"),
        problem_callout(H.error),
        rx.cond(H.held.length() == 0, rx.text("No file is held.")),
        rx.vstack(rx.foreach(H.held, _held), spacing="3", width="100%", margin_top="1em"),
    )
