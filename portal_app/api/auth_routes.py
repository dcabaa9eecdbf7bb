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
from portal_app.services.sessions import end_session, redeem_ticket, session_cookie_name, sign_in_cookie_name
from portal_app.settings import get_settings


def safe_next(target: str | None) -> str:
    """Only same-site paths may follow a sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return routes.HOME
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def set_session_cookie(response: Response, token: str) -> None:
    """Attach the session cookie: HttpOnly, SameSite=Lax; Secure and ``__Host-`` behind HTTPS."""
    settings = get_settings()
    response.set_cookie(
        session_cookie_name(),
        token,
        max_age=settings.session_max_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.uses_https,
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        session_cookie_name(), path="/", httponly=True, samesite="lax", secure=get_settings().uses_https
    )


def clear_sign_in_cookie(response: Response) -> None:
    secure = get_settings().uses_https
    response.delete_cookie(sign_in_cookie_name(), path="/", samesite="strict", secure=secure)


def _finish_sign_in_sync(ticket: str, browser_binding: str) -> str | None:
    with session_scope() as session:
        return redeem_ticket(session, ticket=ticket, browser_binding=browser_binding)


def _sign_out_sync(token: str, reason: str, address: str) -> None:
    with session_scope() as session:
        end_session(session, token=token, reason=reason, client_address=address)


async def finish_sign_in(request: Request) -> Response:
    """Trade the ticket for the session cookie, in the browser that signed in only.

    The ticket is bound to the sign-in cookie the signing-in tab set (``state/sign_in.py``);
    a ticket arriving without that cookie (another browser, a cross-site link) is refused.
    """
    from starlette.concurrency import run_in_threadpool

    binding = request.cookies.get(sign_in_cookie_name(), "")
    ticket = request.query_params.get("ticket", "")
    token = await run_in_threadpool(_finish_sign_in_sync, ticket, binding) if binding and ticket else None
    if token is None:
        response = RedirectResponse(f"{routes.SIGN_IN}?problem=expired", status_code=303)
    else:
        response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        set_session_cookie(response, token)
    clear_sign_in_cookie(response)
    return response


async def sign_out(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    reason = "idle_logoff" if request.query_params.get("reason") == "idle" else "signed_out"
    token = request.cookies.get(session_cookie_name(), "")
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
