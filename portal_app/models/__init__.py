"""All tables. Import this package so Alembic and the app see every model."""

from portal_app.models.accounts import (
    AuthSession,
    OutboxEmail,
    Practice,
    PracticeMembership,
    RegistrationTaxId,
    User,
)
from portal_app.models.api import (
    ApiAccessToken,
    ApiAssertionJti,
    ApiClient,
    PasNotification,
    PasSubmission,
    PasSubscription,
)
from portal_app.models.audit import AuditEvent
from portal_app.models.code_lists import CodeListEntry, CodeListVersion
from portal_app.models.compliance import (
    GoldCardEvaluation,
    GoldCardExemption,
    OrderClock,
    OrderExemption,
    TransitionAuthorization,
)
from portal_app.models.cost_levels import FacilityCostLevel
from portal_app.models.crd import CrdAuthorization, CrdClient, CrdHookCall, CrdJti
from portal_app.models.data_loads import DataLoad
from portal_app.models.demographics import DemographicChangeRequest, FaxNumber, OutboxFax
from portal_app.models.device_data import DeviceDataImport, DeviceNight, DeviceVendor
from portal_app.models.documents import Document
from portal_app.models.facilities import FacilityModalityScore, FacilityRegistration
from portal_app.models.feedback import Announcement, FeedbackGroupSignup
from portal_app.models.guidelines import GuidelineCriterionRow, GuidelineVersionRow
from portal_app.models.notices import Notice
from portal_app.models.orders import Order, OrderDiagnosis, OrderLine
from portal_app.models.plans import (
    HealthPlan,
    Member,
    PlanLetterContact,
    PlanLineOfBusiness,
    PlanProgram,
    ProgramRouting,
)
from portal_app.models.providers import Facility, NetworkParticipation, Provider
from portal_app.models.reviews import (
    Determination,
    Note,
    PeerToPeerAppointment,
    ReviewerProfile,
    ReviewTask,
)
from portal_app.models.survey import SatisfactionSurvey, SatisfactionSurveyAnswer

__all__ = [
    "Announcement",
    "FeedbackGroupSignup",
    "SatisfactionSurveyAnswer",
    "ApiAccessToken",
    "ApiAssertionJti",
    "ApiClient",
    "AuditEvent",
    "CrdAuthorization",
    "CrdClient",
    "CrdHookCall",
    "CrdJti",
    "CodeListEntry",
    "CodeListVersion",
    "DataLoad",
    "GuidelineCriterionRow",
    "GuidelineVersionRow",
    "AuthSession",
    "OutboxEmail",
    "RegistrationTaxId",
    "DemographicChangeRequest",
    "Determination",
    "DeviceDataImport",
    "DeviceNight",
    "DeviceVendor",
    "Document",
    "Facility",
    "FacilityCostLevel",
    "FacilityModalityScore",
    "FacilityRegistration",
    "FaxNumber",
    "GoldCardEvaluation",
    "GoldCardExemption",
    "HealthPlan",
    "Member",
    "NetworkParticipation",
    "Note",
    "Notice",
    "Order",
    "OrderClock",
    "OrderDiagnosis",
    "OrderExemption",
    "OrderLine",
    "OutboxFax",
    "PasNotification",
    "PasSubmission",
    "PasSubscription",
    "PeerToPeerAppointment",
    "PlanLetterContact",
    "PlanLineOfBusiness",
    "PlanProgram",
    "ProgramRouting",
    "Practice",
    "PracticeMembership",
    "Provider",
    "ReviewerProfile",
    "ReviewTask",
    "SatisfactionSurvey",
    "TransitionAuthorization",
    "User",
]
