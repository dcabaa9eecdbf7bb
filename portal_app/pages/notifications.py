"""/notifications: the signed-in user's notifications, newest first, paged on the server."""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.paging import pager
from portal_app.components.tables import data_table, table_row
from portal_app.state.notifications import NotificationLine
from portal_app.state.notifications import NotificationsState as S


def _row(row: rx.Var[NotificationLine]) -> rx.Component:
    return table_row(
        row.created_at,
        rx.cond(row.unread, rx.text.strong(row.text), rx.text(row.text)),
        rx.cond(row.href != "", rx.link(row.link_text, href=row.href), rx.text("")),
        rx.cond(
            row.unread,
            rx.button(
                "Mark as read",
                size="1",
                variant="outline",
                on_click=S.mark_read(row.notice_id),
                aria_label="Mark as read: " + row.text + " " + row.link_text,
            ),
            rx.text("Read", size="2", color_scheme="gray"),
        ),
    )


def notifications_page() -> rx.Component:
    return page_shell(
        page_heading("Notifications"),
        rx.text(
            "What happened on your requests and your account. How you are e-mailed about them is set on ",
            rx.link("My account", href=routes.ACCOUNT, underline="always"),
            ".",
        ),
        rx.cond(
            S.total > 0,
            rx.fragment(
                rx.button("Mark all as read", on_click=S.mark_all_read, variant="outline", margin_y="1em"),
                data_table(
                    "Notifications",
                    ("When (UTC)", "What", "About", "Status"),
                    rx.el.tbody(rx.foreach(S.rows, _row)),
                ),
                pager(S, "notifications"),
            ),
            rx.text("No notifications yet.", margin_top="1em"),
        ),
    )
