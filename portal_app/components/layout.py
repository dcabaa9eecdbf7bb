"""The app shell: header with role-aware navigation, main landmark, footer, idle-logoff warning."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.notification_bell import notification_bell
from portal_app.domain.enums import Role
from portal_app.state.auth import AuthState
from portal_app.state.navigation_menu import NavigationMenuState

IDLE_POLL_MILLISECONDS = 10_000

# Navigation per role: a link is (label, route); a menu is (label, [links]). The services re-check every
# action whatever the menu shows.
_NavItem = tuple[str, str] | tuple[str, list[tuple[str, str]]]
_PRACTICE = (
    "Practice",
    [("Provider changes", routes.DEMOGRAPHIC_CHANGES), ("Fax numbers", routes.FAX_CONFIRMATION)],
)
_ROLE_LINKS: dict[Role, list[_NavItem]] = {
    Role.ORDERING_PROVIDER_STAFF: [
        (
            "Requests",
            [
                ("New request", routes.ORDER_NEW),
                ("My orders", routes.MY_ORDERS),
                ("Verify an order", routes.VERIFY),
                ("Previous plan", routes.TRANSITION_OF_CARE),
            ],
        ),
        (
            "Look-ups",
            [
                ("Find a provider", routes.PROVIDER_DIRECTORY),
                ("Radiation therapy codes", routes.RADIATION_CODES),
                ("Is authorization needed?", routes.PA_NEEDED),
            ],
        ),
        ("Practice", [*_PRACTICE[1], ("PAP device data", routes.SLEEP_DEVICE_DATA)]),
    ],
    Role.SERVICING_PROVIDER_STAFF: [
        ("Verify an order", routes.VERIFY),
        ("Find a provider", routes.PROVIDER_DIRECTORY),
        _PRACTICE,
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
        (
            "Accounts",
            [
                ("Registrations", routes.ADMIN_REGISTRATIONS),
                ("Users", routes.ADMIN_USERS),
                ("Imaging sites", routes.ADMIN_FACILITIES),
            ],
        ),
        (
            "Plans",
            [
                ("Plans", routes.ADMIN_PLANS),
                ("Plan files", routes.ADMIN_PLAN_FILES),
                ("Code lists", routes.ADMIN_CODE_LISTS),
            ],
        ),
        (
            "Held work",
            [
                ("Changes and faxes", routes.ADMIN_CHANGES),
                ("Held device data", routes.ADMIN_DEVICE_DATA),
                ("Outbox", routes.ADMIN_OUTBOX),
            ],
        ),
        (
            "Feedback",
            [
                ("Write announcements", routes.ADMIN_ANNOUNCEMENTS),
                ("Feedback group", routes.ADMIN_FEEDBACK_GROUP),
            ],
        ),
        ("Audit log", routes.ADMIN_AUDIT),
        ("Dashboard", routes.REVIEW_DASHBOARD),
    ],
    Role.FACILITY_STAFF: [
        ("Facility registration", routes.FACILITY_REGISTRATION),
        ("Find a provider", routes.PROVIDER_DIRECTORY),
        _PRACTICE,
    ],
}


def _nav_link(label: str, href: str) -> rx.Component:
    return rx.el.li(
        rx.link(label, href=href, on_click=NavigationMenuState.close_menus), class_name="nav-item"
    )


def _menu_id(label: str) -> str:
    return "nav-menu-" + "".join(c if c.isalnum() else "-" for c in label.lower())


def _nav_menu(label: str, links: list[tuple[str, str]]) -> rx.Component:
    """A disclosure menu: a button saying whether it is open and the list of links it shows."""
    is_open = NavigationMenuState.open_menu == label
    return rx.el.li(
        rx.el.button(
            label,
            rx.el.span(" ▾", aria_hidden="true"),
            type="button",
            aria_expanded=rx.cond(is_open, "true", "false"),
            aria_controls=_menu_id(label),
            on_click=NavigationMenuState.toggle_menu(label),
            class_name="nav-menu-button",
        ),
        rx.cond(
            is_open,
            rx.el.ul(
                *[_nav_link(text, href) for text, href in links], id=_menu_id(label), class_name="nav-panel"
            ),
        ),
        class_name="nav-item nav-group",
    )


def _nav_entry(item: _NavItem) -> rx.Component:
    label, target = item
    return _nav_menu(label, target) if isinstance(target, list) else _nav_link(label, target)


def _role_links() -> rx.Component:
    return rx.match(
        AuthState.role,
        *[
            (role.value, rx.fragment(*[_nav_entry(item) for item in items]))
            for role, items in _ROLE_LINKS.items()
        ],
        rx.fragment(),
    )


def _signed_in_items() -> rx.Component:
    return rx.fragment(
        _role_links(),
        _nav_link("Help", routes.HELP),
        _nav_link("My account", routes.ACCOUNT),
        rx.el.li(notification_bell(), class_name="nav-item"),
        rx.el.li(
            rx.el.span(AuthState.display_name, class_name="nav-user-name"),
            rx.el.span(AuthState.role_label, class_name="nav-user-role"),
            class_name="nav-item nav-user",
        ),
        rx.el.li(
            rx.button("Sign out", on_click=AuthState.sign_out, variant="outline", size="1"),
            class_name="nav-item",
        ),
    )


def _navigation() -> rx.Component:
    return rx.el.nav(
        rx.el.button(
            "Menu",
            type="button",
            aria_expanded=rx.cond(NavigationMenuState.navigation_open, "true", "false"),
            aria_controls="main-navigation-items",
            on_click=NavigationMenuState.toggle_navigation,
            class_name="nav-toggle",
        ),
        rx.el.ul(
            rx.cond(
                AuthState.is_signed_in,
                _signed_in_items(),
                rx.fragment(
                    _nav_link("Sign in", routes.SIGN_IN),
                    _nav_link("Register", routes.REGISTER),
                    _nav_link("Help", routes.HELP),
                ),
            ),
            id="main-navigation-items",
            class_name=rx.cond(NavigationMenuState.navigation_open, "nav-items nav-open", "nav-items"),
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
        class_name="site-header",
    )


def _footer() -> rx.Component:
    return rx.el.footer(
        rx.text(
            "Precert is open-source software. The demo runs on synthetic data only. ",
            rx.link("Prior authorization: services and metrics", href=routes.TRANSPARENCY),
            " · ",
            rx.link("Coming soon: guideline changes", href=routes.GUIDELINES_COMING_SOON),
            " · ",
            rx.link("Is prior authorization needed?", href=routes.PA_NEEDED),
            " · ",
            rx.link("Announcements", href=routes.ANNOUNCEMENTS),
            " · ",
            rx.link("Join the user experience feedback group", href=routes.FEEDBACK_GROUP),
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
