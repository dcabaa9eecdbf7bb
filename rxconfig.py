"""Reflex configuration. No secrets here: only where the database and Redis live."""

import os

import reflex as rx

from portal_app.settings import DEFAULT_DB_URL, public_url, session_idle_seconds

_redis_url = os.environ.get("REDIS_URL") or None

config = rx.Config(
    app_name="portal_app",
    db_url=os.environ.get("DB_URL") or DEFAULT_DB_URL,
    redis_url=_redis_url,
    # Without Redis one worker keeps sessions in memory: the disk manager would
    # write pickled state (PHI included) to plain files under .states/.
    state_manager_mode="redis" if _redis_url else "memory",
    # Session state (PHI included) stays in Redis no longer than a session can be idle, plus
    # five minutes; the drafts themselves are in the database.
    redis_token_expiration=session_idle_seconds() + 300,
    telemetry_enabled=False,
    # Behind a load balancer or reverse proxy: how many of them append to X-Forwarded-For, so
    # the audit trail records the client's address rather than the proxy's (0 ignores the header).
    trusted_proxy_hops=int(os.environ.get("TRUSTED_PROXY_HOPS") or 0),
    # Only the portal's own pages may open a websocket or call the backend.
    cors_allowed_origins=[public_url()],
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
    # A sitemap would list pages that only signed-in staff may open.
    disable_plugins=[rx.plugins.SitemapPlugin],
)
