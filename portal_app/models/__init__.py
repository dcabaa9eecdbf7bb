"""All tables. Import this package so Alembic and the app see every model."""

from portal_app.models.accounts import (
    AuthSession,
    OutboxEmail,
    Practice,
    PracticeMembership,
    RegistrationTaxId,
    User,
)
from portal_app.models.audit import AuditEvent
from portal_app.models.documents import Document
from portal_app.models.orders import Order, OrderDiagnosis, OrderLine
from portal_app.models.plans import HealthPlan, Member, PlanLineOfBusiness, PlanProgram
from portal_app.models.providers import Facility, NetworkParticipation, Provider
from portal_app.models.reviews import Determination, Note, PeerToPeerAppointment, ReviewTask

__all__ = [
    "AuditEvent",
    "AuthSession",
    "OutboxEmail",
    "RegistrationTaxId",
    "Determination",
    "Document",
    "Facility",
    "HealthPlan",
    "Member",
    "NetworkParticipation",
    "Note",
    "Order",
    "OrderDiagnosis",
    "OrderLine",
    "PeerToPeerAppointment",
    "PlanLineOfBusiness",
    "PlanProgram",
    "Practice",
    "PracticeMembership",
    "Provider",
    "ReviewTask",
    "User",
]
