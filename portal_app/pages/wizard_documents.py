"""The documents section of the wizard's review step (state/wizard_documents.py)."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_upload, problem_callout
from portal_app.state.wizard_documents import UPLOAD_ID, NeededRow, WizardDocumentsState

D = WizardDocumentsState


def _needed(row: rx.Var[NeededRow]) -> rx.Component:
    return rx.el.li(
        rx.text(rx.text.strong(row.document), size="2"),
        rx.text(row.why, size="1", color_scheme="gray"),
        rx.text(rx.cond(row.arrived != "", "Uploaded: " + row.arrived, "Not uploaded yet"), size="1"),
    )


def wizard_documents() -> rx.Component:
    """The listed documents and an upload zone; uploading is optional but settles a case sooner."""
    return rx.vstack(
        rx.heading("Supporting documents", size="3", as_="h3"),
        rx.cond(
            D.needed.length() > 0,
            rx.vstack(
                rx.text(
                    "These answers send the request to a clinical reviewer. These documents support it; "
                    "upload them now so the reviewer has them from the start:",
                    size="2",
                ),
                rx.el.ul(rx.foreach(D.needed, _needed), aria_label="Documents that support this request"),
                rx.el.label("These files are", html_for="field-draft_upload_as", font_weight="500"),
                rx.el.select(
                    rx.el.option("Another document", value=""),
                    rx.foreach(D.needed, lambda r: rx.el.option(r.document, value=r.document_id)),
                    id="field-draft_upload_as",
                    value=D.upload_as,
                    on_change=D.choose_upload_as,
                ),
                width="100%",
            ),
            rx.text("No documents are needed for these answers; you may still add any.", size="2"),
        ),
        labelled_upload(
            "Choose documents for this request",
            rx.vstack(
                rx.text("Drop PDF, PNG, JPEG or TIFF files here (20 MB each at most), or"),
                rx.button("Choose files", type="button", variant="outline"),
                align="center",
            ),
            upload_id=UPLOAD_ID,
            border="1px dashed var(--gray-7)",
            padding="1em",
            width="100%",
        ),
        rx.hstack(rx.foreach(rx.selected_files(UPLOAD_ID), lambda name: rx.badge(name)), wrap="wrap"),
        rx.button(
            "Upload to the request",
            type="button",
            variant="outline",
            on_click=D.upload(rx.upload_files(upload_id=UPLOAD_ID)),
        ),
        problem_callout(D.message, color="green"),
        problem_callout(D.error),
        spacing="2",
        width="100%",
    )


__all__ = ["wizard_documents"]
