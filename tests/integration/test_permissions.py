"""The role table: what each role may do, checked by every service."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal_app.domain.enums import AuditOutcome, Role
from portal_app.models import AuditEvent, User
from portal_app.services.authz import Actor, PermissionDenied, may, require
from portal_app.services.demo_data import load_demo_data

pytestmark = pytest.mark.usefixtures("demo_data")


def _actor(role: Role) -> Actor:
    return Actor(user_id=1, role=role, full_name="x")


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (Role.NURSE_REVIEWER, "review.approve", True),
        (Role.NURSE_REVIEWER, "review.request_information", True),
        (Role.NURSE_REVIEWER, "review.escalate", True),
        (Role.NURSE_REVIEWER, "review.deny", False),
        (Role.NURSE_REVIEWER, "review.partially_approve", False),
        (Role.PHYSICIAN_REVIEWER, "review.deny", True),
        (Role.PHYSICIAN_REVIEWER, "review.partially_approve", True),
        (Role.SUPPORT_ADMIN, "admin.registrations", True),
        (Role.SUPPORT_ADMIN, "review.approve", False),
        (Role.SUPPORT_ADMIN, "review.deny", False),
        (Role.ORDERING_PROVIDER_STAFF, "order.create", True),
        (Role.SERVICING_PROVIDER_STAFF, "order.create", False),
        (Role.SERVICING_PROVIDER_STAFF, "order.verify", True),
        (Role.ORDERING_PROVIDER_STAFF, "admin.audit_log", False),
    ],
)
def test_role_table(role, permission, allowed):
    assert may(_actor(role), permission) is allowed


def test_a_nurse_asking_to_deny_is_refused_and_audited(session):
    load_demo_data(session)
    nurse = session.exec(select(User).where(User.username == "nurse")).one()
    with pytest.raises(PermissionDenied):
        require(
            session,
            Actor(user_id=nurse.id, role=Role.NURSE_REVIEWER, full_name=""),
            "review.deny",
            record="order:1",
        )
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).one()
    assert (event.action, event.outcome, event.detail["permission"]) == (
        "access.denied",
        AuditOutcome.DENIED,
        "review.deny",
    )


def test_nobody_signed_in_may_do_anything(session):
    assert not may(None, "order.create")
    with pytest.raises(PermissionDenied):
        require(session, None, "admin.users")
