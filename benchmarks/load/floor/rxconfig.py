"""The framework floor's Reflex configuration: the portal's state-manager settings, nothing else."""

import os

import reflex as rx

_redis_url = os.environ.get("REDIS_URL") or None

config = rx.Config(
    app_name="floor_app",
    redis_url=_redis_url,
    state_manager_mode="redis" if _redis_url else "memory",
    redis_token_expiration=15 * 60 + 300,
    telemetry_enabled=False,
    cors_allowed_origins=[os.environ.get("PUBLIC_URL", "http://localhost:3000")],
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
)
