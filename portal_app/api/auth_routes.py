"""HTTP routes that set and clear the HttpOnly session cookie.

Reflex event handlers cannot set an HttpOnly cookie, so signing in ends with a
full-page visit to ``/auth/finish`` carrying the one-time ticket.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal_app import routes
from portal_app.db import session_scope
from portal_app.services.sessions import SESSION_COOKIE, end_session, redeem_ticket
from portal_app.settings import get_settings


def safe_next(target: str | None) -> str:
    """Only same-site paths may follow a sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return routes.HOME
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def set_session_cookie(response: Response, token: str) -> None:
    """Attach the session cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS."""
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.uses_https,
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def _finish_sign_in_sync(ticket: str) -> str | None:
    with session_scope() as session:
        return redeem_ticket(session, ticket=ticket)


def _sign_out_sync(token: str, reason: str, address: str) -> None:
    with session_scope() as session:
        end_session(session, token=token, reason=reason, client_address=address)


async def finish_sign_in(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    token = await run_in_threadpool(_finish_sign_in_sync, request.query_params.get("ticket", ""))
    if token is None:
        return RedirectResponse(f"{routes.SIGN_IN}?problem=expired", status_code=303)
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    set_session_cookie(response, token)
    return response


async def sign_out(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    reason = "idle_logoff" if request.query_params.get("reason") == "idle" else "signed_out"
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        await run_in_threadpool(_sign_out_sync, token, reason, client_address(request))
    problem = "idle" if reason == "idle_logoff" else "signed_out"
    response = RedirectResponse(f"{routes.SIGN_IN}?problem={problem}", status_code=303)
    clear_session_cookie(response)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


AUTH_ROUTES = [
    Route(routes.AUTH_FINISH, finish_sign_in, methods=["GET"]),
    Route(routes.AUTH_SIGN_OUT, sign_out, methods=["GET", "POST"]),
]
