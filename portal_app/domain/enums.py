"""Vocabulary shared by every layer: roles, statuses, programs and the like.

Values are stored in the database as these strings, so never rename a value
without an Alembic data migration.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry a human-readable label."""

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " ").capitalize())


class Role(LabelledEnum):
    ORDERING_PROVIDER_STAFF = "ordering_provider_staff"
    SERVICING_PROVIDER_STAFF = "servicing_provider_staff"
    NURSE_REVIEWER = "nurse_reviewer"
    PHYSICIAN_REVIEWER = "physician_reviewer"
    SUPPORT_ADMIN = "support_admin"
    FACILITY_STAFF = "facility_staff"


class MailKind(LabelledEnum):
    """What an outgoing e-mail is about: the outbox shows this, never the body."""

    PASSWORD_RESET = "password_reset"
    EMAIL_CONFIRMATION = "email_confirmation"
    ACCOUNT_APPROVED = "account_approved"
    REGISTRATION_DECISION = "registration_decision"
    REGISTRATION_ATTEMPT = "registration_attempt"
    DECISION_LETTER = "decision_letter"
    FACILITY_REGISTRATION = "facility_registration"
    DEMOGRAPHIC_CHANGE = "demographic_change"
    FAX_CONFIRMATION = "fax_confirmation"
    ORDER_NOTICE = "order_notice"  # something on an order needs the office: a link, never the details
    NOTIFICATION_DIGEST = "notification_digest"  # a day's notifications: a count and a link
    NOTICE = "notice"


class UserStatus(LabelledEnum):
    PENDING_EMAIL_CONFIRMATION = "pending_email_confirmation"
    PENDING_SUPPORT_APPROVAL = "pending_support_approval"
    ACTIVE = "active"
    LOCKED = "locked"
    DISABLED = "disabled"


class LineOfBusiness(LabelledEnum):
    # Revision 0019 split the former single "commercial" value; its rows became HMO/POS.
    COMMERCIAL_HMO_POS = "commercial_hmo_pos"
    COMMERCIAL_PPO_EPO = "commercial_ppo_epo"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"
    DUAL = "dual"
    FEP = "fep"


class Program(LabelledEnum):
    """Specialty programs a health plan may delegate to the benefits manager."""

    IMAGING = "imaging"
    MEDICAL_ONCOLOGY = "medical_oncology"
    RADIATION_ONCOLOGY = "radiation_oncology"
    MUSCULOSKELETAL = "musculoskeletal"
    REHABILITATION = "rehabilitation"
    SLEEP = "sleep"
    OUTPATIENT = "outpatient"
    GENETIC_TESTING = "genetic_testing"
    CARDIOLOGY = "cardiology"
    SURGICAL = "surgical"


class DataFileKind(LabelledEnum):
    """What a plan's file holds (services/data_loads.py)."""

    MEMBERS = "members"
    PROVIDERS = "providers"
    COST_LEVELS = "cost_levels"  # facilities' relative cost levels (services/cost_levels.py)


class DataLoadStatus(LabelledEnum):
    """How a plan's file load ended: applied whole, or rejected (or failed) with nothing changed."""

    RUNNING = "running"
    APPLIED = "applied"
    REJECTED = "rejected"
    FAILED = "failed"


class Sex(LabelledEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class FacilityType(LabelledEnum):
    HOSPITAL_OUTPATIENT = "hospital_outpatient"
    FREE_STANDING = "free_standing"
    PHYSICIAN_OFFICE = "physician_office"
    SLEEP_CENTER = "sleep_center"
    INFUSION_CENTER = "infusion_center"
    REHABILITATION_CLINIC = "rehabilitation_clinic"
    AMBULATORY_SURGERY_CENTER = "ambulatory_surgery_center"


class NetworkStatus(LabelledEnum):
    IN_NETWORK = "in_network"
    OUT_OF_NETWORK = "out_of_network"


class OrderStatus(LabelledEnum):
    """Case statuses as a provider sees them on the order summary."""

    DRAFT = "draft"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    AUTHORIZED = "authorized"
    NON_AUTHORIZED = "non_authorized"
    MULTIPLE_DECISIONS = "multiple_decisions"
    VOLUNTARILY_CANCELLED = "voluntarily_cancelled"
    NOT_REVIEWED_ERROR_ENTRY = "not_reviewed_error_entry"
    VOLUNTARILY_WITHDRAWN = "voluntarily_withdrawn"


class Urgency(LabelledEnum):
    STANDARD = "standard"
    URGENT = "urgent"


class LineDecision(LabelledEnum):
    """The outcome of one order line."""

    PENDED = "pended"
    AUTHORIZED = "authorized"
    PARTIALLY_AUTHORIZED = "partially_authorized"
    NON_AUTHORIZED = "non_authorized"
    NOTIFICATION_ONLY = "notification_only"
    CANCELLED = "cancelled"


class DecidedBy(LabelledEnum):
    RULES_ENGINE = "rules_engine"
    NURSE = "nurse"
    PHYSICIAN = "physician"


class ReviewQueue(LabelledEnum):
    NURSE = "nurse"
    PHYSICIAN = "physician"


class TaskStatus(LabelledEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"


class TaskKind(LabelledEnum):
    """Why a review task exists: the first review, a reconsideration or an appeal."""

    INITIAL = "initial"
    RECONSIDERATION = "reconsideration"
    APPEAL = "appeal"


class PeerToPeerStatus(LabelledEnum):
    OFFERED = "offered"  # a time the reviewing physician offered; the office may choose it
    PROPOSED = "proposed"  # a time the office proposed; a physician may accept it
    PUBLISHED = "published"  # a time a physician is free for calls, on no order yet; an office may take it
    REQUESTED = "requested"  # the office asked for a call now (immediate); a physician is rung
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    MISSED = "missed"


class PeerToPeerMode(LabelledEnum):
    """How a program's peer-to-peer calls are arranged when the office asks for one."""

    IMMEDIATE = "immediate"  # ring a physician marked available now; schedule when none is
    SCHEDULED = "scheduled"  # the office proposes times or takes one a physician published


class Specialty(LabelledEnum):
    """A reviewing physician's specialty: a peer-to-peer request goes first to a matching one."""

    SPINE_SURGERY = "spine_surgery"
    ORTHOPAEDICS = "orthopaedics"
    NEUROSURGERY = "neurosurgery"
    ANAESTHESIOLOGY = "anaesthesiology"
    PAIN_MEDICINE = "pain_medicine"
    RADIOLOGY = "radiology"
    CARDIOLOGY = "cardiology"
    ONCOLOGY = "oncology"
    RADIATION_ONCOLOGY = "radiation_oncology"
    SLEEP_MEDICINE = "sleep_medicine"
    PHYSICAL_MEDICINE = "physical_medicine"
    INTERNAL_MEDICINE = "internal_medicine"


class TaskFlag(LabelledEnum):
    """Why a review task stands out in its queue."""

    NONE = ""
    NO_RESPONSE = "no_response"  # the pend clock ran out with no answer from the office
    LIVE_REVIEW = "live_review"  # the office asked for a review while the patient is there


class NoticeKind(LabelledEnum):
    """What an in-portal notice to an office is about (its text says no more than this)."""

    PEER_TO_PEER_OFFERED = "peer_to_peer_offered"
    PEER_TO_PEER_SCHEDULED = "peer_to_peer_scheduled"
    PEER_TO_PEER_MISSED = "peer_to_peer_missed"
    INFORMATION_REQUESTED = "information_requested"
    REVIEW_DONE = "review_done"
    DECISION_MADE = "decision_made"
    RECONSIDERATION_DECIDED = "reconsideration_decided"
    APPEAL_DECIDED = "appeal_decided"
    APPROVAL_EXPIRING = "approval_expiring"
    REGISTRATION_APPROVED = "registration_approved"


class EmailPreference(LabelledEnum):
    """When a user is e-mailed about their notifications (the notification list always has them)."""

    OFF = "off"
    IMMEDIATELY = "immediately"
    DAILY_DIGEST = "daily_digest"


class NoteVisibility(LabelledEnum):
    INTERNAL = "internal"
    PROVIDER = "provider"


class AuditOutcome(LabelledEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


class FacilityRegistrationStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CORRECTIONS_REQUESTED = "corrections_requested"


class ChangeRequestStatus(LabelledEnum):
    # Approved requests wait for their effective date, then become applied.
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    APPLIED = "applied"


class FaxConfirmationStatus(LabelledEnum):
    # A test page without PHI carries a code to the number; the office types the code back
    # (awaiting support); a support admin then confirms the number.
    UNCONFIRMED = "unconfirmed"
    CODE_SENT = "code_sent"
    AWAITING_SUPPORT = "awaiting_support"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class OutboxFaxStatus(LabelledEnum):
    HELD = "held"
    RELEASED = "released"


_LABELS: dict[StrEnum, str] = {
    Role.ORDERING_PROVIDER_STAFF: "Ordering provider staff",
    Role.SERVICING_PROVIDER_STAFF: "Servicing provider staff",
    Role.FACILITY_STAFF: "Imaging facility staff",
    FacilityRegistrationStatus.CORRECTIONS_REQUESTED: "Corrections requested",
    FaxConfirmationStatus.CODE_SENT: "Test page sent, code not yet entered",
    FaxConfirmationStatus.AWAITING_SUPPORT: "Code entered, waiting for support",
    OutboxFaxStatus.RELEASED: "Released to the fax service",
    LineOfBusiness.COMMERCIAL_HMO_POS: "Commercial HMO/POS",
    LineOfBusiness.COMMERCIAL_PPO_EPO: "Commercial PPO/EPO",
    LineOfBusiness.MEDICARE_ADVANTAGE: "Medicare Advantage",
    LineOfBusiness.FEP: "Federal Employee Program",
    LineOfBusiness.DUAL: "Dual eligible",
    Program.IMAGING: "Radiology and cardiology imaging",
    Program.OUTPATIENT: "Transportation and other outpatient services",
    Program.SURGICAL: "Surgical and endoscopic procedures",
    Program.GENETIC_TESTING: "Genetic testing",
    Sex.FEMALE: "Female",
    Sex.MALE: "Male",
    Sex.UNKNOWN: "Unknown",
    FacilityType.HOSPITAL_OUTPATIENT: "Hospital outpatient department",
    FacilityType.FREE_STANDING: "Free-standing facility",
    FacilityType.AMBULATORY_SURGERY_CENTER: "Ambulatory surgery center",
    DataFileKind.COST_LEVELS: "Facility cost levels",
    # Order statuses in the seeds' wording and capitalisation (shared/seeds/001, 003, 004).
    OrderStatus.IN_PROGRESS: "In Progress",
    OrderStatus.MULTIPLE_DECISIONS: "Multiple Decisions Rendered",
    OrderStatus.NOT_REVIEWED_ERROR_ENTRY: "Not Reviewed/Error Entry",
    OrderStatus.NON_AUTHORIZED: "Non-Authorized",
    OrderStatus.VOLUNTARILY_CANCELLED: "Voluntarily Cancelled",
    OrderStatus.VOLUNTARILY_WITHDRAWN: "Voluntarily Withdrawn",
    PeerToPeerStatus.REQUESTED: "Requested",
    PeerToPeerStatus.PROPOSED: "Proposed by the office",
    PeerToPeerStatus.PUBLISHED: "Open for any office",
    PeerToPeerStatus.MISSED: "Missed (the call did not take place)",
    Specialty.ORTHOPAEDICS: "Orthopaedic surgery",
    Specialty.PHYSICAL_MEDICINE: "Physical medicine and rehabilitation",
    TaskFlag.NO_RESPONSE: "No response from the office",
    TaskFlag.LIVE_REVIEW: "Live review requested",
    TaskFlag.NONE: "",
    NoticeKind.PEER_TO_PEER_OFFERED: "A physician reviewer offers a peer-to-peer conversation",
    NoticeKind.PEER_TO_PEER_SCHEDULED: "A peer-to-peer conversation is scheduled",
    NoticeKind.PEER_TO_PEER_MISSED: "A peer-to-peer conversation did not take place",
    NoticeKind.INFORMATION_REQUESTED: "The reviewer needs more information",
    NoticeKind.REVIEW_DONE: "The review is done (you asked for a call back)",
    NoticeKind.DECISION_MADE: "A decision was made on a request",
    NoticeKind.RECONSIDERATION_DECIDED: "A reconsideration was decided",
    NoticeKind.APPEAL_DECIDED: "An appeal was decided",
    NoticeKind.APPROVAL_EXPIRING: "An approval expires soon",
    NoticeKind.REGISTRATION_APPROVED: "Your registration was approved",
    EmailPreference.OFF: "Off: no e-mail",
    EmailPreference.IMMEDIATELY: "Immediately: one e-mail per notification",
    EmailPreference.DAILY_DIGEST: "Daily digest: one e-mail a day",
}
