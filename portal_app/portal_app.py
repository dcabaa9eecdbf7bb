"""The Precert app: the routing table."""

import reflex as rx

import portal_app.models  # noqa: F401  (every table known to the app and Alembic)
from portal_app import routes
from portal_app.pages.home import home_page
from portal_app.pages.sign_in import sign_in_page

app = rx.App(theme=rx.theme(accent_color="teal", radius="medium"))
app.add_page(home_page, route=routes.HOME, title="Precert — prior authorization portal")
app.add_page(sign_in_page, route=routes.SIGN_IN, title="Sign in — Precert")
