"""Security headers on every HTTP response (OWASP ASVS 14.4, 50.x)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal_app.settings import get_settings

# Reflex's compiled frontend uses inline bootstrapping scripts and eval for
# server-sent scripts, so 'unsafe-inline'/'unsafe-eval' stay until it doesn't.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)

_ALWAYS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# Fingerprinted build assets may be cached; pages and API answers may hold PHI.
_CACHEABLE_PREFIXES = ("/assets/",)
# Behind HTTPS (PUBLIC_URL https://...), browsers are told to use nothing else for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    """Add the portal's security headers, and no-store on everything but static assets."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope.get("path", "").startswith(_CACHEABLE_PREFIXES)
        always = [*_ALWAYS, HSTS] if get_settings().uses_https else _ALWAYS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in always if k not in present]
                if not cacheable:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
