"""Support: accounts (role, disable, unlock, password reset) and practices' order sharing."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import labelled_input, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import pager
from portal_app.components.tables import data_table, table_row
from portal_app.state.user_admin import ROLE_CHOICES, PracticeLine, UserAdminState, UserLine

U = UserAdminState
_SELECT_STYLE = {"padding": "0.3em", "border_radius": "6px", "border": "1px solid var(--gray-7)"}


def _role_form(row: rx.Var[UserLine]) -> rx.Component:
    select_id = "role-" + row.user_id.to_string()
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="user_id", value=row.user_id.to_string()),
            rx.el.label("Role of " + row.email, html_for=select_id, class_name="visually-hidden"),
            rx.el.select(
                *[rx.el.option(label, value=value) for value, label in ROLE_CHOICES],
                id=select_id,
                name="role",
                default_value=row.role,
                style=_SELECT_STYLE,
            ),
            rx.button("Change role", type="submit", size="1", aria_label="Change the role of " + row.email),
            align="center",
        ),
        on_submit=U.change_role,
        reset_on_submit=False,
    )


def _actions(row: rx.Var[UserLine]) -> rx.Component:
    return rx.hstack(
        rx.cond(
            row.status == "disabled",
            rx.button("Enable", size="1", on_click=U.enable(row.user_id), aria_label="Enable " + row.email),
            rx.button(
                "Disable",
                size="1",
                color_scheme="red",
                variant="outline",
                on_click=U.disable(row.user_id),
                aria_label="Disable " + row.email,
            ),
        ),
        rx.cond(
            row.locked,
            rx.button("Unlock", size="1", on_click=U.unlock(row.user_id), aria_label="Unlock " + row.email),
        ),
        rx.button(
            "Send password reset",
            size="1",
            variant="outline",
            on_click=U.send_reset(row.user_id),
            aria_label="Send a password reset to " + row.email,
        ),
        wrap="wrap",
    )


def _user_row(row: rx.Var[UserLine]) -> rx.Component:
    return table_row(
        row.full_name, row.email, row.practices, row.status_label, _role_form(row), _actions(row)
    )


def _practice_row(row: rx.Var[PracticeLine]) -> rx.Component:
    return table_row(
        row.name,
        row.tax_id,
        row.users,
        rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=row.share_orders,
                    on_change=lambda value: U.share_orders(row.practice_id, value),
                    aria_label="Share orders among the users of " + row.name,
                ),
                rx.text("Users see each other's orders", size="2"),
                align="center",
            ),
        ),
    )


def user_admin_page() -> rx.Component:
    return page_shell(
        page_heading("Users and practices"),
        rx.text(
            "Changing a person's role or disabling their account ends their open sessions at once. "
            "Every change here is in the audit log.",
            size="2",
        ),
        rx.form(
            rx.hstack(
                labelled_input("Name, e-mail or username contains", name="text", required=False),
                rx.button("Find users", type="submit", margin_top="1.6em"),
                align="start",
            ),
            on_submit=U.search,
            reset_on_submit=False,
        ),
        problem_callout(U.message, color="green"),
        problem_callout(U.error),
        data_table(
            "Users",
            ("Name", "E-mail", "Practices", "Status", "Role", "Actions"),
            rx.el.tbody(rx.foreach(U.rows, _user_row)),
        ),
        pager(U, "users"),
        rx.heading("Practices", size="5", as_="h2", margin_top="1.5em"),
        data_table(
            "Practices",
            ("Practice", "Tax ID", "Users", "Orders"),
            rx.el.tbody(rx.foreach(U.practices, _practice_row)),
        ),
    )
