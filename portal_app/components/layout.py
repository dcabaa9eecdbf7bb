"""The app shell: header with role-aware navigation, main landmark, footer, idle-logoff warning."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.domain.enums import Role
from portal_app.state.auth import AuthState

IDLE_POLL_MILLISECONDS = 10_000

# Navigation per role; the services re-check every action whatever the menu shows.
_ROLE_LINKS: dict[Role, list[tuple[str, str]]] = {
    Role.ORDERING_PROVIDER_STAFF: [
        ("New request", routes.ORDER_NEW),
        ("My orders", routes.MY_ORDERS),
        ("Verify an order", routes.VERIFY),
        ("Find a provider", routes.PROVIDER_DIRECTORY),
        ("Radiation therapy codes", routes.RADIATION_CODES),
        ("PAP device data", routes.SLEEP_DEVICE_DATA),
        ("Provider changes", routes.DEMOGRAPHIC_CHANGES),
        ("Fax numbers", routes.FAX_CONFIRMATION),
        ("Previous plan", routes.TRANSITION_OF_CARE),
    ],
    Role.SERVICING_PROVIDER_STAFF: [
        ("Verify an order", routes.VERIFY),
        ("Find a provider", routes.PROVIDER_DIRECTORY),
        ("Provider changes", routes.DEMOGRAPHIC_CHANGES),
        ("Fax numbers", routes.FAX_CONFIRMATION),
    ],
    Role.NURSE_REVIEWER: [
        ("Review queue", routes.REVIEW_QUEUE),
        ("Dashboard", routes.REVIEW_DASHBOARD),
        ("Find a provider", routes.PROVIDER_DIRECTORY),
    ],
    Role.PHYSICIAN_REVIEWER: [
        ("Review queue", routes.REVIEW_QUEUE),
        ("Dashboard", routes.REVIEW_DASHBOARD),
        ("Find a provider", routes.PROVIDER_DIRECTORY),
    ],
    Role.SUPPORT_ADMIN: [
        ("Registrations", routes.ADMIN_REGISTRATIONS),
        ("Users", routes.ADMIN_USERS),
        ("Plans", routes.ADMIN_PLANS),
        ("Plan files", routes.ADMIN_PLAN_FILES),
        ("Code lists", routes.ADMIN_CODE_LISTS),
        ("Audit log", routes.ADMIN_AUDIT),
        ("Outbox", routes.ADMIN_OUTBOX),
        ("Held device data", routes.ADMIN_DEVICE_DATA),
        ("Changes and faxes", routes.ADMIN_CHANGES),
        ("Imaging sites", routes.ADMIN_FACILITIES),
        ("Dashboard", routes.REVIEW_DASHBOARD),
    ],
    Role.FACILITY_STAFF: [
        ("Facility registration", routes.FACILITY_REGISTRATION),
        ("Find a provider", routes.PROVIDER_DIRECTORY),
        ("Provider changes", routes.DEMOGRAPHIC_CHANGES),
        ("Fax numbers", routes.FAX_CONFIRMATION),
    ],
}


def _nav_link(label: str, href: str) -> rx.Component:
    return rx.link(label, href=href)


def _role_links() -> rx.Component:
    return rx.match(
        AuthState.role,
        *[
            (role.value, rx.fragment(*[_nav_link(label, href) for label, href in links]))
            for role, links in _ROLE_LINKS.items()
        ],
        rx.fragment(),
    )


def _navigation() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            rx.cond(
                AuthState.is_signed_in,
                rx.fragment(
                    _role_links(),
                    _nav_link("Help", routes.HELP),
                    _nav_link("My account", routes.ACCOUNT),
                    rx.text(
                        AuthState.display_name, " · ", AuthState.role_label, size="2", color_scheme="gray"
                    ),
                    rx.button("Sign out", on_click=AuthState.sign_out, variant="outline", size="1"),
                ),
                rx.fragment(
                    _nav_link("Sign in", routes.SIGN_IN),
                    _nav_link("Register", routes.REGISTER),
                    _nav_link("Help", routes.HELP),
                ),
            ),
            spacing="5",
            align="center",
        ),
        aria_label="Main",
    )


def _header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.text("Precert", size="6", weight="bold"),
                href=routes.HOME,
                underline="none",
                aria_label="Precert home",
            ),
            rx.spacer(),
            _navigation(),
            align="center",
            width="100%",
        ),
        padding="1em 2em",
        border_bottom="1px solid var(--gray-5)",
    )


def _footer() -> rx.Component:
    return rx.el.footer(
        rx.text(
            "Precert is open-source software. The demo runs on synthetic data only. ",
            rx.link("Prior authorization: services and metrics", href=routes.TRANSPARENCY),
            size="1",
            color_scheme="gray",
        ),
        padding="1em 2em",
        border_top="1px solid var(--gray-5)",
    )


def _idle_logoff() -> rx.Component:
    """Polls the server while signed in; warns a minute before automatic logoff."""
    return rx.cond(
        AuthState.is_signed_in,
        rx.fragment(
            rx.moment(interval=IDLE_POLL_MILLISECONDS, on_change=AuthState.check_idle, display="none"),
            rx.alert_dialog.root(
                rx.alert_dialog.content(
                    rx.alert_dialog.title("You will be signed out soon"),
                    rx.alert_dialog.description(
                        "For the safety of patient information, Precert signs you out after a period "
                        "without activity. You will be signed out in about a minute."
                    ),
                    rx.flex(
                        rx.button("Stay signed in", on_click=AuthState.stay_signed_in),
                        rx.button("Sign out now", on_click=AuthState.sign_out, variant="outline"),
                        spacing="3",
                        margin_top="1em",
                    ),
                ),
                open=AuthState.logoff_warning,
            ),
        ),
    )


def page_shell(*children: rx.Component) -> rx.Component:
    """Wrap a page's content in the shared header, main landmark and footer."""
    return rx.box(
        rx.el.a("Skip to main content", href="#main-content", class_name="skip-link"),
        _header(),
        rx.el.main(
            rx.container(*children, size="3", padding_y="2em"),
            id="main-content",
        ),
        _footer(),
        _idle_logoff(),
        min_height="100vh",
    )


def page_heading(text: str) -> rx.Component:
    return rx.heading(text, size="7", as_="h1", margin_bottom="0.5em")
