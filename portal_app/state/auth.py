"""The signed-in user, and the decorator that guards every protected event handler.

Identity comes from the HttpOnly session cookie of the websocket connection,
re-checked against the database on every guarded event; the Reflex client
token is never trusted as a credential. ``_user_id``/``_role`` are backend-only.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from http.cookies import SimpleCookie
from urllib.parse import quote

import reflex as rx

from portal_app import routes
from portal_app.domain.enums import Role
from portal_app.services import audit
from portal_app.services.authz import Actor
from portal_app.services.calls import in_session
from portal_app.services.sessions import SESSION_COOKIE, resolve_actor, seconds_until_idle_logoff

_current_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("actor", default=None)
LOGOFF_WARNING_SECONDS = 60


def current_actor() -> Actor:
    """The actor of the guarded handler now running."""
    actor = _current_actor.get()
    if actor is None:
        raise RuntimeError("current_actor() used outside an @authorized handler")
    return actor


async def call_service(fn, **kwargs):
    """Run ``fn(session, actor=<the current actor>, **kwargs)`` in a worker thread with its own session."""
    actor = current_actor()
    return await rx.run_in_thread(lambda: in_session(fn, actor=actor, **kwargs))


async def call_public(fn, **kwargs):
    """Run ``fn(session, **kwargs)`` in a worker thread with its own session, with no actor."""
    return await rx.run_in_thread(lambda: in_session(fn, **kwargs))


def session_token(state: rx.State) -> str:
    """The session cookie sent with this client's websocket handshake."""
    cookie = SimpleCookie()
    try:
        cookie.load(state.router.headers.cookie or "")
    except Exception:  # a malformed Cookie header means no session
        return ""
    morsel = cookie.get(SESSION_COOKIE)
    return morsel.value if morsel else ""


class AuthState(rx.State):
    """Who is signed in, for navigation. Authorization never reads the public vars."""

    _user_id: int | None = None
    _role: str | None = None
    display_name: str = ""
    role: str = ""
    logoff_warning: bool = False

    @rx.var
    def is_signed_in(self) -> bool:
        return self.role != ""

    @rx.var
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    def _remember(self, actor: Actor | None) -> None:
        self._user_id = actor.user_id if actor else None
        self._role = str(actor.role) if actor else None
        self.display_name = actor.full_name if actor else ""
        self.role = str(actor.role) if actor else ""
        if actor is None:
            self.logoff_warning = False

    async def _resolve(self, *, touch: bool) -> Actor | None:
        token = session_token(self)
        address = self.router.session.client_ip
        actor = (
            await call_public(resolve_actor, token=token, touch=touch, client_address=address)
            if token
            else None
        )
        self._remember(actor)
        return actor

    @rx.event
    async def load_session(self):
        """On every page: show who is signed in (public; reveals only the caller's own name)."""
        await self._resolve(touch=False)

    @rx.event
    async def check_idle(self):
        """Polled by signed-in pages: warn a minute before idle logoff, then sign out."""
        if not self.role:
            return None
        token = session_token(self)
        remaining = await call_public(seconds_until_idle_logoff, token=token) if token else None
        if remaining is None or remaining <= 0:
            self._remember(None)
            return rx.call_script(f"window.location.assign('{routes.AUTH_SIGN_OUT}?reason=idle')")
        self.logoff_warning = remaining <= LOGOFF_WARNING_SECONDS
        return None

    @rx.event
    async def stay_signed_in(self):
        """The "stay signed in" button: counts as activity."""
        await self._resolve(touch=True)
        self.logoff_warning = False

    @rx.event
    def sign_out(self):
        self._remember(None)
        return rx.call_script(f"window.location.assign('{routes.AUTH_SIGN_OUT}')")


async def _authorize(state: rx.State, roles: frozenset[Role], handler: str) -> tuple[Actor | None, object]:
    auth = await state.get_state(AuthState)
    actor = await auth._resolve(touch=True)
    if actor is None:
        target = quote(state.router.page.raw_path or "/", safe="/")
        return None, rx.redirect(f"{routes.SIGN_IN}?next={target}")
    if roles and actor.role not in roles:
        await call_public(audit.record_denied_access, actor=actor, handler=handler)
        return None, rx.redirect(routes.NOT_ALLOWED)
    return actor, None


def authorized(*roles: Role):
    """Guard an async event handler: a live session (and one of ``roles``, if given).

    Inside the handler, ``current_actor()`` is the signed-in user. Without a live
    session the browser goes to sign-in; with the wrong role the attempt is
    audited and the browser goes to the not-allowed page.
    """
    allowed = frozenset(roles)

    def decorate(handler):
        name = handler.__qualname__
        if inspect.isasyncgenfunction(handler):

            @functools.wraps(handler)
            async def guarded_generator(self, *args, **kwargs):
                actor, refusal = await _authorize(self, allowed, name)
                if actor is None:
                    yield refusal
                    return
                reset = _current_actor.set(actor)
                try:
                    async for event in handler(self, *args, **kwargs):
                        yield event
                finally:
                    _current_actor.reset(reset)

            guarded = guarded_generator
        elif inspect.iscoroutinefunction(handler):

            @functools.wraps(handler)
            async def guarded_coroutine(self, *args, **kwargs):
                actor, refusal = await _authorize(self, allowed, name)
                if actor is None:
                    return refusal
                reset = _current_actor.set(actor)
                try:
                    return await handler(self, *args, **kwargs)
                finally:
                    _current_actor.reset(reset)

            guarded = guarded_coroutine
        else:
            raise TypeError(f"@authorized needs an async handler: {name}")
        guarded.__precert_roles__ = allowed
        return guarded

    return decorate
