"""The signed-in user, the decorator that guards every protected event handler, and the binding
of a tab's state to the session that filled it.

Identity comes from the HttpOnly session cookie *of the request being served* (the websocket
connection the event came in on, or the ``/_upload`` request: ``portal_app/api/request_session.py``),
re-checked against the database at every page load and, for guarded events, at least every
ACTOR_RECHECK_SECONDS; never from router data saved in the state,
and the Reflex client token is never trusted as a credential. ``_user_id``/``_role`` are backend-only.

A tab's state is bound to the session cookie it was filled under (:class:`SessionBinding`): an
event arriving with another cookie, or none, first resets every substate of the portal, and so does
the end of the session (sign-out, idle logoff, a refused guard, a session found revoked), so a
state whose session ended holds no PHI for whoever presents its client token next.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import inspect
import time
from urllib.parse import quote

import reflex as rx

from portal_app import routes
from portal_app.api.request_session import request_client_ip, request_headers, request_session_cookie
from portal_app.domain.enums import Role
from portal_app.services import audit
from portal_app.services.authz import Actor
from portal_app.services.calls import in_session
from portal_app.services.sessions import is_session_live, resolve_actor, seconds_until_idle_logoff
from portal_app.state.navigation import page_path

_current_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("actor", default=None)
LOGOFF_WARNING_SECONDS = 60
# A guarded handler reuses the actor this tab resolved for the same cookie this recently instead of
# reading the session again: a burst of keystrokes costs one check. A session ended elsewhere
# (sign-out in another tab, a disabled account, a password change) is refused within this bound;
# page loads always check (``SessionBinding``).
ACTOR_RECHECK_SECONDS = 5.0


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


def session_token(state: rx.State | None = None) -> str:
    """The session cookie of the request behind the event now running.

    That is the handshake of the websocket the event arrived on, or the ``/_upload`` request;
    ``state`` is not consulted (its router data may be an earlier request's).
    """
    return request_session_cookie()


class AuthState(rx.State):
    """Who is signed in, for navigation. Authorization never reads the public vars."""

    _user_id: int | None = None
    _role: str | None = None
    # SHA-256 of the session cookie this tab's state was filled under ("" = none), and when that
    # session was last found live (time.monotonic()).
    _bound_session: str = ""
    _checked_live_at: float = 0.0
    # The actor last resolved for this tab: its practices and session, which session cookie
    # (fingerprint) it was resolved for, and when (time.monotonic()). See ``_cached_actor``.
    _practice_ids: list[int] = []
    _session_id: int | None = None
    _actor_cookie: str = ""
    _actor_checked_at: float = 0.0
    display_name: str = ""
    role: str = ""
    logoff_warning: bool = False

    @rx.var
    def is_signed_in(self) -> bool:
        return self.role != ""

    @rx.var
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    def _remember(self, actor: Actor | None, cookie: str = "") -> None:
        self._user_id = actor.user_id if actor else None
        self._role = str(actor.role) if actor else None
        self.display_name = actor.full_name if actor else ""
        self.role = str(actor.role) if actor else ""
        self._practice_ids = list(actor.practice_ids) if actor else []
        self._session_id = actor.session_id if actor else None
        self._actor_cookie = _fingerprint(cookie) if actor else ""
        self._actor_checked_at = time.monotonic() if actor else 0.0
        if actor is None:
            self.logoff_warning = False

    def _cached_actor(self, cookie: str, address: str) -> Actor | None:
        """The actor resolved for this very cookie less than ``ACTOR_RECHECK_SECONDS`` ago, if any."""
        fresh = time.monotonic() - self._actor_checked_at < ACTOR_RECHECK_SECONDS
        if not (cookie and fresh and self._user_id and self._role) or self._actor_cookie != _fingerprint(
            cookie
        ):
            return None
        return Actor(
            user_id=self._user_id,
            role=Role(self._role),
            full_name=self.display_name,
            practice_ids=tuple(self._practice_ids),
            session_id=self._session_id,
            client_address=address,
        )

    async def _resolve(self, *, touch: bool, reuse: bool = False) -> Actor | None:
        token = session_token()
        address = request_client_ip()
        if reuse and (cached := self._cached_actor(token, address)) is not None:
            return cached
        actor = (
            await call_public(resolve_actor, token=token, touch=touch, client_address=address)
            if token
            else None
        )
        self._remember(actor, token)
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
        token = session_token()
        remaining = await call_public(seconds_until_idle_logoff, token=token) if token else None
        if remaining is None or remaining <= 0:
            await clear_session_state(self)
            return rx.call_script(f"window.location.assign('{routes.AUTH_SIGN_OUT}?reason=idle')")
        self.logoff_warning = remaining <= LOGOFF_WARNING_SECONDS
        return None

    @rx.event
    async def stay_signed_in(self):
        """The "stay signed in" button: counts as activity."""
        await self._resolve(touch=True)
        self.logoff_warning = False

    @rx.event
    async def sign_out(self):
        await clear_session_state(self)
        return rx.call_script(f"window.location.assign('{routes.AUTH_SIGN_OUT}')")


async def _authorize(state: rx.State, roles: frozenset[Role], handler: str) -> tuple[Actor | None, object]:
    auth = await state.get_state(AuthState)
    actor = await auth._resolve(touch=True, reuse=True)
    if actor is None:
        await clear_session_state(state)
        target = quote(page_path(state) or "/", safe="/")
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


# --- the binding of a tab's state to its session ---

# A state bound to a session is checked against the database at every page load and at least
# this often while events arrive, so a session ended elsewhere (another tab's sign-out, a
# password change, a disabled account) empties the state within this many seconds.
LIVENESS_RECHECK_SECONDS = 30.0
_PAGE_LOAD_EVENTS = ("hydrate", "hydrate_and_load", "on_load_internal")


def _portal_state_classes() -> list[type[rx.State]]:
    found, pending = [], list(rx.State.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if cls.__module__.startswith("portal_app."):
            found.append(cls)
    return sorted(found, key=lambda cls: cls.get_full_name())


async def clear_session_state(state: rx.State) -> None:
    """Reset every substate of the portal in this tab (form fields, lists, records on screen)."""
    from reflex.istate.proxy import StateProxy

    if isinstance(state, StateProxy) and not state._is_mutable():
        return  # a background task outside ``async with self``: its next guarded event clears
    root = state._get_root_state()
    for cls in _portal_state_classes():
        (await root.get_state(cls)).reset()


def _fingerprint(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest() if cookie else ""


class SessionBinding(rx.Middleware):
    """Before every event: the tab's state belongs to the session cookie of this request.

    Another cookie (or none) than the one the state was filled under, or a session that is no
    longer live, resets every portal substate first; then the state is bound to this cookie.
    Events made by the backend without a request (no headers) are left alone: they carry no
    cookie, so the guard refuses them anyway.
    """

    async def preprocess(self, app, state, event):
        if request_headers() is None:
            return None
        cookie = request_session_cookie()
        fingerprint = _fingerprint(cookie)
        auth = await state.get_state(AuthState)
        now = time.monotonic()
        if auth._bound_session != fingerprint:
            await clear_session_state(state)
        elif fingerprint and (
            event.name.rpartition(".")[2] in _PAGE_LOAD_EVENTS
            or now - auth._checked_live_at >= LIVENESS_RECHECK_SECONDS
        ):
            if not await call_public(is_session_live, token=cookie):
                await clear_session_state(state)
        else:
            return None
        auth._bound_session = fingerprint
        auth._checked_live_at = now
        return None
