"""Who is acting, and what each role may do. Every service re-checks here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from portal_app.domain.enums import AuditOutcome, Role
from portal_app.services import audit


@dataclass(frozen=True)
class Actor:
    """The signed-in user on whose behalf a service runs."""

    user_id: int
    role: Role
    full_name: str
    practice_ids: tuple[int, ...] = ()
    session_id: int | None = None
    client_address: str = ""


class PermissionDenied(Exception):
    """The actor may not do this; the attempt has been audited."""


REVIEWER_ROLES = frozenset({Role.NURSE_REVIEWER, Role.PHYSICIAN_REVIEWER})
PROVIDER_ROLES = frozenset({Role.ORDERING_PROVIDER_STAFF, Role.SERVICING_PROVIDER_STAFF})

# What each role may do; services name the permission, never the role.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "order.create": frozenset({Role.ORDERING_PROVIDER_STAFF}),
    "order.read_own_practice": frozenset({Role.ORDERING_PROVIDER_STAFF}),
    "order.verify": frozenset({Role.SERVICING_PROVIDER_STAFF, Role.ORDERING_PROVIDER_STAFF}),
    # The rendering provider asks for a procedure it added on the day of an approved one (seed 001).
    "order.add_procedure": frozenset({Role.SERVICING_PROVIDER_STAFF}),
    "review.work_queue": REVIEWER_ROLES,
    "review.approve": REVIEWER_ROLES,
    "review.request_information": REVIEWER_ROLES,
    "review.escalate": frozenset({Role.NURSE_REVIEWER}),
    # A case found to duplicate an earlier one is withdrawn (Voluntarily Withdrawn, seed 001).
    "review.withdraw_duplicate": REVIEWER_ROLES,
    "review.deny": frozenset({Role.PHYSICIAN_REVIEWER}),
    "review.partially_approve": frozenset({Role.PHYSICIAN_REVIEWER}),
    # Physicians act as leads: they assign cases to reviewers of a queue.
    "review.assign": frozenset({Role.PHYSICIAN_REVIEWER}),
    # Offering peer-to-peer times and recording how the call went.
    "review.peer_to_peer": frozenset({Role.PHYSICIAN_REVIEWER}),
    # The ordering office after a decision: choose a peer-to-peer time, ask for a
    # reconsideration, file an appeal (each also needs read access to the order).
    "order.peer_to_peer": frozenset({Role.ORDERING_PROVIDER_STAFF}),
    "order.reconsider": frozenset({Role.ORDERING_PROVIDER_STAFF}),
    "order.appeal": frozenset({Role.ORDERING_PROVIDER_STAFF}),
    "admin.registrations": frozenset({Role.SUPPORT_ADMIN}),
    "admin.users": frozenset({Role.SUPPORT_ADMIN}),
    "admin.audit_log": frozenset({Role.SUPPORT_ADMIN}),
    "metrics.read": REVIEWER_ROLES | {Role.SUPPORT_ADMIN},
    # Issue 24: extending a case's decision clock where its rule allows; rescinding a gold card.
    "review.extend": REVIEWER_ROLES,
    "gold_card.rescind": frozenset({Role.PHYSICIAN_REVIEWER}),
    # PAP device data: offices upload a member's file; support checks the files held as mismatches.
    "device_data.upload": frozenset({Role.ORDERING_PROVIDER_STAFF}),
    "device_data.review_held": frozenset({Role.SUPPORT_ADMIN}),
    # The prior-authorization API (services/pas): API clients act as ordering provider staff.
    "pas.submit": frozenset({Role.ORDERING_PROVIDER_STAFF}),
    "pas.inquire": PROVIDER_ROLES,
    "pas.subscribe": frozenset({Role.ORDERING_PROVIDER_STAFF}),
    "api.manage_clients": frozenset({Role.SUPPORT_ADMIN}),
    # The satisfaction survey after a submitted request: offices answer, the dashboard's readers see results.
    "survey.answer": frozenset({Role.ORDERING_PROVIDER_STAFF}),
    "survey.read_results": REVIEWER_ROLES | {Role.SUPPORT_ADMIN},
    # Issue 25: the user experience feedback group's sign-ups, and the announcements support writes.
    "feedback_group.read": frozenset({Role.SUPPORT_ADMIN}),
    "announcements.write": frozenset({Role.SUPPORT_ADMIN}),
    # Imaging facility registration and its quality scores; support asks for corrections.
    "facility.register": frozenset({Role.FACILITY_STAFF}),
    "facility.review_registrations": frozenset({Role.SUPPORT_ADMIN}),
    # Demographic change requests for a practice's providers and sites, and fax confirmation.
    "demographics.request_change": PROVIDER_ROLES | {Role.FACILITY_STAFF},
    "demographics.decide_change": frozenset({Role.SUPPORT_ADMIN}),
    "fax.request_confirmation": PROVIDER_ROLES | {Role.FACILITY_STAFF},
    "fax.confirm": frozenset({Role.SUPPORT_ADMIN}),
    "outbox.read": frozenset({Role.SUPPORT_ADMIN}),
    # A plan's member and provider files (services/data_loads.py), and its set-up (services/plan_setup.py).
    "plan_data.load": frozenset({Role.SUPPORT_ADMIN}),
    "plans.manage": frozenset({Role.SUPPORT_ADMIN}),
    # New versions of a program's criteria (services/guidelines.py).
    "guidelines.load": frozenset({Role.SUPPORT_ADMIN}),
}


def may(actor: Actor | None, permission: str) -> bool:
    """True when ``actor`` holds ``permission``."""
    return actor is not None and actor.role in PERMISSIONS[permission]


def require(session: Session, actor: Actor | None, permission: str, *, record: str = "") -> Actor:
    """Return ``actor`` if it holds ``permission``; otherwise audit the attempt and raise."""
    if actor is not None and may(actor, permission):
        return actor
    audit.record(
        session,
        action="access.denied",
        user_id=actor.user_id if actor else None,
        outcome=AuditOutcome.DENIED,
        client_address=actor.client_address if actor else "",
        detail={"permission": permission, "record": record},
    )
    session.commit()
    raise PermissionDenied(permission)
