"""The audit trail cannot be changed or deleted, even by the application's own connection."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DatabaseError
from sqlmodel import select

from portal_app.models import AuditEvent
from portal_app.services import audit
from tests.conftest import BACKENDS


@pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)
def test_audit_events_can_be_added_but_not_changed_or_deleted(session):
    audit.record(session, action="test.event", user_id=None, detail={"n": 1})
    session.commit()
    event = session.exec(select(AuditEvent)).one()

    event.action = "tampered"
    session.add(event)
    with pytest.raises(DatabaseError, match="append-only"):
        session.commit()
    session.rollback()

    session.delete(session.exec(select(AuditEvent)).one())
    with pytest.raises(DatabaseError, match="append-only"):
        session.commit()
    session.rollback()
    assert session.exec(select(AuditEvent.action)).all() == ["test.event"]
