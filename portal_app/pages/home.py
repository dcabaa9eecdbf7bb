"""The public home page: what Precert is and where to start."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.announcements import safe_markdown
from portal_app.components.layout import page_shell
from portal_app.domain.enums import Role
from portal_app.pages.conversation import notices_panel
from portal_app.state.auth import AuthState
from portal_app.state.home import HomeSection, HomeState

_AUDIENCES = [
    (
        "Ordering provider offices",
        "Enter a request once through a short wizard for your program and get a decision at "
        "once when the clinical guideline is met.",
    ),
    (
        "Servicing providers",
        "Check whether an order exists and is authorized before you perform the service.",
    ),
    (
        "Nurse and physician reviewers",
        "Work queues sorted by due time, see why a case pended, and decide with a specific reason.",
    ),
    (
        "Imaging facilities",
        "Register your site's equipment, staff and accreditation, see the score of each kind of imaging "
        "you offer, and be listed to ordering offices as a site of care.",
    ),
]


def _audience_card(title: str, text: str) -> rx.Component:
    return rx.card(
        rx.heading(title, size="4", as_="h2"),
        rx.text(text, size="2"),
        width="100%",
    )


def _item(item) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.link(item.title, href=item.href, weight="medium"),
            rx.cond(item.flag != "", rx.badge(item.flag, color_scheme="red")),
            rx.cond(
                item.request_again != "",
                rx.button(
                    "Request again",
                    size="1",
                    variant="outline",
                    on_click=HomeState.request_again(item.request_again),
                    aria_label="Request again from order " + item.request_again,
                ),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.text(item.detail, size="2"),
        rx.text(item.when, size="1", color_scheme="gray"),
        class_name="home-item",
    )


def _section(section: HomeSection) -> rx.Component:
    heading_id = "home-" + section.key
    return rx.el.section(
        rx.heading(section.heading, " (", section.total, ")", size="4", as_="h2", id=heading_id),
        rx.cond(
            section.total > 0,
            rx.el.ul(rx.foreach(section.rows, _item), aria_labelledby=heading_id, class_name="home-list"),
            rx.text(section.empty, size="2", color_scheme="gray"),
        ),
        rx.cond(
            section.page_count > 1,
            rx.hstack(
                rx.button(
                    "Previous",
                    on_click=HomeState.turn_page(section.key, -1),
                    disabled=section.page == 0,
                    variant="outline",
                    size="1",
                    aria_label="Previous page of " + section.heading,
                ),
                rx.text("Page ", section.page + 1, " of ", section.page_count, size="1"),
                rx.button(
                    "Next",
                    on_click=HomeState.turn_page(section.key, 1),
                    disabled=section.page + 1 >= section.page_count,
                    variant="outline",
                    size="1",
                    aria_label="Next page of " + section.heading,
                ),
                align="center",
            ),
        ),
        aria_labelledby=heading_id,
        class_name="home-section",
    )


def _latest_announcement() -> rx.Component:
    """The newest announcement (services/announcements.py), with a link to all of them."""
    return rx.cond(
        HomeState.announcement_title != "",
        rx.el.section(
            rx.heading("Latest announcement", size="4", as_="h2", id="home-announcement"),
            rx.heading(HomeState.announcement_title, size="3", as_="h3"),
            rx.text(
                "Published ",
                HomeState.announcement_date,
                rx.cond(
                    HomeState.announcement_program != "", rx.fragment(" · ", HomeState.announcement_program)
                ),
                size="1",
                color_scheme="gray",
            ),
            rx.box(safe_markdown(HomeState.announcement_body), class_name="announcement-body"),
            rx.link("All announcements", href=routes.ANNOUNCEMENTS),
            aria_labelledby="home-announcement",
            class_name="home-section",
            width="100%",
        ),
    )


def _work() -> rx.Component:
    """The signed-in user's own page: what waits for them, list by list."""
    return rx.vstack(
        rx.callout(
            rx.text("Signed in as ", rx.text.strong(AuthState.display_name), "."),
            color_scheme="teal",
            role="status",
        ),
        notices_panel(),
        rx.cond(
            AuthState.role == Role.ORDERING_PROVIDER_STAFF.value,
            rx.link(
                rx.button("New request", size="3", tab_index=-1),
                href=routes.ORDER_NEW,
                aria_label="New request",
            ),
        ),
        rx.cond(HomeState.error != "", rx.callout(HomeState.error, color_scheme="red", role="alert")),
        _latest_announcement(),
        rx.grid(
            rx.foreach(HomeState.sections, _section),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="5",
            width="100%",
        ),
        on_mount=HomeState.load,
        spacing="4",
        width="100%",
    )


def _introduction() -> rx.Component:
    """What a visitor reads: what Precert is and where to start."""
    return rx.vstack(
        rx.heading("Prior authorization without the phone calls", size="8", as_="h1"),
        rx.text(
            "Precert is the portal where provider offices request prior authorization for "
            "imaging, oncology, musculoskeletal, rehabilitation, sleep and transportation "
            "services that health plans have delegated to a benefits manager.",
            size="4",
        ),
        rx.hstack(
            rx.link(
                rx.button("Sign in", size="3", tab_index=-1),
                href=routes.SIGN_IN,
                aria_label="Sign in to Precert",
            ),
            rx.link(
                rx.button("Register", size="3", variant="outline", tab_index=-1),
                href=routes.REGISTER,
                aria_label="Register for an account",
            ),
        ),
        rx.grid(
            *[_audience_card(title, text) for title, text in _AUDIENCES],
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        spacing="5",
    )


def home_page() -> rx.Component:
    return page_shell(
        rx.cond(
            AuthState.is_signed_in,
            rx.vstack(rx.heading("Your work", size="8", as_="h1"), _work(), spacing="4", width="100%"),
            _introduction(),
        )
    )


def not_allowed_page() -> rx.Component:
    return page_shell(
        rx.heading("This page is not available to your role", size="7", as_="h1"),
        rx.text("The attempt has been recorded. If you need this access, contact Precert support."),
        rx.link("Back to the home page", href=routes.HOME),
    )
