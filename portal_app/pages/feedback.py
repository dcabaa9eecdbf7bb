"""Feedback pages (issue 25, seed 004): the public announcements page and feedback group sign-up, and
support's pages to write announcements and to see (and download) the sign-ups."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.announcements import announcement_article
from portal_app.components.forms import field_error, labelled_input, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import native_select
from portal_app.components.tables import data_table, table_row
from portal_app.domain.enums import Program
from portal_app.services.announcements import TITLE_MAX
from portal_app.services.feedback_group import ROLES
from portal_app.state.feedback import (
    AnnouncementsAdminState,
    AnnouncementsState,
    FeedbackGroupAdminState,
    FeedbackGroupState,
    SignupRow,
)

G = FeedbackGroupState
A = AnnouncementsAdminState


def announcements_page() -> rx.Component:
    """Public: the announcements published so far, newest first."""
    return page_shell(
        page_heading("Announcements"),
        rx.text(
            "News for the offices and providers who use Precert: program changes, new features and "
            "reminders, newest first."
        ),
        rx.cond(
            AnnouncementsState.loaded & (AnnouncementsState.announcements.length() == 0),
            rx.text("There are no announcements yet.", margin_top="1em"),
        ),
        rx.box(
            rx.foreach(AnnouncementsState.announcements, lambda row: announcement_article(row)),
            margin_top="1em",
            width="100%",
        ),
        rx.text(
            "Would you like to help shape the portal? ",
            rx.el.a("Join the user experience feedback group", href=routes.FEEDBACK_GROUP),
            ".",
        ),
    )


def _consent() -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.el.input(
                type="checkbox",
                id="field-consent",
                name="consent",
                required=True,
                aria_describedby="field-consent-error",
                aria_invalid=rx.cond(G.errors["consent"] != "", "true", "false"),
            ),
            " I agree that the Precert team may e-mail me about the feedback group (surveys, "
            "usability sessions and conversations). I can ask to leave at any time.",
            html_for="field-consent",
            style={"display": "flex", "gap": "0.5em", "align_items": "start"},
        ),
        field_error(G.errors["consent"], field_id="field-consent"),
        spacing="1",
    )


def feedback_group_page() -> rx.Component:
    """Public: the sign-up form."""
    return page_shell(
        page_heading("Join the user experience feedback group"),
        rx.text(
            "Help shape Precert for you and your colleagues. Members of the group hear from us about once "
            "a month at most, with invitations to take part as time allows:"
        ),
        rx.el.ul(
            rx.el.li("short surveys and quick online tasks (5 to 10 minutes);"),
            rx.el.li("online usability sessions trying new designs (about 45 to 60 minutes);"),
            rx.el.li("conversations about how your office works (15 to 60 minutes)."),
        ),
        rx.cond(
            G.thanks != "",
            rx.callout(G.thanks, color_scheme="green", role="status", width="100%"),
            rx.form(
                rx.vstack(
                    problem_callout(G.form_error),
                    labelled_input(
                        "Your name", name="full_name", autocomplete="name", error=G.errors["full_name"]
                    ),
                    labelled_input(
                        "E-mail",
                        name="email",
                        input_type="email",
                        autocomplete="email",
                        error=G.errors["email"],
                    ),
                    native_select("Your role", "role", [("", "Choose your role"), *ROLES.items()]),
                    field_error(G.errors["role"], field_id="field-role"),
                    _consent(),
                    rx.button("Join the group", type="submit"),
                    spacing="3",
                    max_width="36em",
                ),
                on_submit=G.submit,
                reset_on_submit=False,
                aria_label="Feedback group sign-up",
            ),
        ),
    )


def _signup_row(row: rx.Var[SignupRow]) -> rx.Component:
    return table_row(row.full_name, row.email, row.role, row.signed_up, row.updated)


def feedback_group_admin_page() -> rx.Component:
    """Support: who joined the feedback group, with a CSV download."""
    S = FeedbackGroupAdminState
    return page_shell(
        page_heading("Feedback group sign-ups"),
        rx.text(
            "People who asked to join the user experience feedback group (one line per e-mail address; "
            "signing up again updates the line). Newest first."
        ),
        rx.button("Download CSV", on_click=S.download_csv, variant="outline", margin_y="1em"),
        problem_callout(S.error),
        rx.cond(
            S.signups.length() > 0,
            data_table(
                "Feedback group sign-ups",
                ["Name", "E-mail", "Role", "Signed up", "Updated"],
                rx.el.tbody(rx.foreach(S.signups, _signup_row)),
            ),
            rx.text("Nobody has signed up yet."),
        ),
    )


def _announcement_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            problem_callout(A.form_error),
            labelled_input(
                "Title", name="title", error=A.errors["title"], hint=f"At most {TITLE_MAX} characters."
            ),
            native_select(
                "Program", "program", [("", "Every program")] + [(p.value, p.label) for p in Program]
            ),
            field_error(A.errors["program"], field_id="field-program"),
            labelled_input(
                "Publish date", name="published_on", input_type="date", error=A.errors["published_on"]
            ),
            rx.el.label("Text (Markdown)", html_for="field-body", font_weight="500"),
            rx.text(
                "Markdown: **bold**, *italic*, lists, headings and links to http(s) addresses. HTML is "
                "shown as text, and links to anything else are removed.",
                size="1",
                color_scheme="gray",
            ),
            rx.text_area(
                id="field-body",
                name="body",
                required=True,
                rows="10",
                width="100%",
                aria_describedby="field-body-error",
            ),
            field_error(A.errors["body"], field_id="field-body"),
            rx.button("Publish", type="submit"),
            spacing="3",
            width="100%",
            max_width="48em",
        ),
        key=A.form_key,
        on_submit=A.publish,
        reset_on_submit=False,
        aria_label="New announcement",
    )


def announcements_admin_page() -> rx.Component:
    """Support: write an announcement; every announcement, those dated ahead included."""
    return page_shell(
        page_heading("Write announcements"),
        rx.text(
            "Announcements appear on the public ",
            rx.el.a("announcements page", href=routes.ANNOUNCEMENTS),
            " from their publish date, newest first; the newest is also on every signed-in home page.",
        ),
        rx.cond(
            A.published != "", rx.callout(A.published, color_scheme="green", role="status", width="100%")
        ),
        _announcement_form(),
        rx.heading("All announcements", size="4", as_="h2", margin_top="1.5em"),
        rx.box(
            rx.foreach(A.announcements, lambda row: announcement_article(row, heading_level="h3")),
            width="100%",
        ),
    )
