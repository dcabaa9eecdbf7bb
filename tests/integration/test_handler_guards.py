"""Every public event handler is an RPC endpoint: each is guarded or reviewed as public."""

from __future__ import annotations

import reflex as rx

import portal_app.portal_app  # noqa: F401  (registers every page and state)

# Reviewed: these run for visitors who are not signed in, and touch only the
# caller's own input or their own session.
PUBLIC_HANDLERS = {
    "AuthState.load_session",  # shows the caller's own name, from their own cookie
    "AuthState.check_idle",  # reads the caller's own session expiry
    "AuthState.stay_signed_in",  # re-checks the caller's own cookie
    "AuthState.sign_out",  # leaves for the sign-out route
    "SignInState.load_page",
    "SignInState.submit",
    "RegisterState.update_field",  # allow-listed field names only
    "RegisterState.update_password",
    "RegisterState.update_password_again",
    "RegisterState.add_tax_id",
    "RegisterState.remove_tax_id",
    "RegisterState.next_step",
    "RegisterState.previous_step",
    "RegisterState.submit",
    "ConfirmEmailState.load_page",  # needs a signed link
    "ForgotPasswordState.submit",  # same answer whatever the address
    "ResetPasswordState.load_page",
    "ResetPasswordState.submit",  # needs a signed link
    "HelpState.load_page",  # the public help page: the configured support contact, nothing of the caller's
    "PaNeededState.load_page",  # the public "Is prior authorization needed?" page: plans and lines only
    "PaNeededState.ask",  # answers from plan delegations and code lists, no member data
    "ComingSoonState.load_page",  # the public Coming soon page: upcoming guideline versions, no caller data
    # The public transparency page (issue 24): code lists and aggregate figures only, no PHI; the
    # downloads are rate-limited per address (tests/security/test_transparency.py, test_rate_limits.py).
    "TransparencyState.load_page",
    "TransparencyState.choose",
    "TransparencyState.download_csv",
    "TransparencyState.download_json",
    # Issue 25, seed 004: the public announcements (what support published, no caller data) and the
    # feedback group sign-up form (validated and rate-limited per address and e-mail in the service;
    # tests/integration/test_feedback.py). Support's own pages are guarded.
    "AnnouncementsState.load_page",
    "FeedbackGroupState.submit",
    # Which header menu is open (issue 25): UI state only, no data behind it.
    "NavigationMenuState.toggle_menu",
    "NavigationMenuState.toggle_navigation",
    "NavigationMenuState.close_menus",
}


def _portal_states() -> list[type[rx.State]]:
    found, todo = [], [rx.State]
    while todo:
        cls = todo.pop()
        for sub in cls.get_substates():
            todo.append(sub)
            if sub.__module__.startswith("portal_app."):
                found.append(sub)
    assert len(found) >= 10, "the app's states were not found"
    return found


def _own_handlers(cls: type[rx.State]) -> dict[str, object]:
    inherited = set(rx.State.event_handlers)
    return {name: h for name, h in cls.event_handlers.items() if name not in inherited}


def test_every_public_handler_is_guarded_or_reviewed():
    unguarded = []
    for cls in _portal_states():
        for name, handler in _own_handlers(cls).items():
            qualified = f"{cls.__name__}.{name}"
            guarded = getattr(handler.fn, "__precert_roles__", None) is not None
            if not guarded and qualified not in PUBLIC_HANDLERS:
                unguarded.append(qualified)
    assert unguarded == [], f"Guard these with @authorized or review them as public: {unguarded}"


def test_the_reviewed_list_names_only_handlers_that_exist():
    existing = {f"{cls.__name__}.{name}" for cls in _portal_states() for name in _own_handlers(cls)}
    assert existing >= PUBLIC_HANDLERS


def test_no_state_offers_set_methods_to_setvar():
    # setvar("x", v) reaches any method named set_x, whatever the page shows.
    offenders = [
        f"{cls.__name__}.{name}"
        for cls in _portal_states()
        for name in _own_handlers(cls)
        if name.startswith("set_")
    ]
    assert offenders == []


def test_identity_lives_in_backend_vars_only():
    from portal_app.state.auth import AuthState

    assert {"_user_id", "_role"} <= set(AuthState.get_fields())
    # Only base and computed vars are sent to the browser.
    sent = set(AuthState.base_vars) | set(AuthState.computed_vars)
    assert sent.isdisjoint({"_user_id", "_role"})
