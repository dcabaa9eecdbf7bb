"""Appending to the audit trail; the application never updates or deletes it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from portal_app.domain.enums import AuditOutcome
from portal_app.models import AuditEvent

if TYPE_CHECKING:  # authz imports this module
    from portal_app.services.authz import Actor


def record(
    session: Session,
    *,
    action: str,
    user_id: int | None,
    record_type: str = "",
    record_id: str | int = "",
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    client_address: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one audit event to the session; the caller's commit writes it."""
    session.add(
        AuditEvent(
            action=action,
            user_id=user_id,
            record_type=record_type,
            record_id=str(record_id),
            outcome=outcome,
            client_address=client_address[:64],
            detail=detail or {},
        )
    )


def record_denied_access(session: Session, *, actor: Actor, handler: str) -> None:
    """Audit a signed-in user's attempt to run ``handler`` without the role for it; commits."""
    record(
        session,
        action="access.denied",
        user_id=actor.user_id,
        outcome=AuditOutcome.DENIED,
        client_address=actor.client_address,
        detail={"handler": handler},
    )
    session.commit()
