"""The Precert app: the routing table."""

import reflex as rx
from starlette.applications import Starlette

import portal_app.models  # noqa: F401  (every table known to the app and Alembic)
from portal_app import log_redaction, routes
from portal_app.api.auth_routes import AUTH_ROUTES
from portal_app.api.cds_hooks_routes import CDS_HOOKS_ROUTES, CdsHooksPreflight
from portal_app.api.device_data_routes import DEVICE_DATA_ROUTES
from portal_app.api.document_routes import DOCUMENT_ROUTES
from portal_app.api.fhir import FHIR_ROUTES
from portal_app.api.oidc_routes import OIDC_ROUTES
from portal_app.api.request_session import RequestSessionMiddleware
from portal_app.api.security_headers import SecurityHeadersMiddleware
from portal_app.api.upload_guard import UploadGuardMiddleware
from portal_app.file_modes import keep_data_private
from portal_app.pages.account import (
    account_page,
    confirm_email_page,
    forgot_password_page,
    reset_password_page,
)
from portal_app.pages.admin import audit_page, outbox_page, registrations_page
from portal_app.pages.admin_facilities import admin_facilities_page
from portal_app.pages.code_lists import code_lists_page
from portal_app.pages.code_lookup import code_lookup_page
from portal_app.pages.dashboard import dashboard_page
from portal_app.pages.demographics import admin_changes_page, demographic_changes_page, fax_confirmation_page
from portal_app.pages.device_data import device_data_page, held_device_data_page
from portal_app.pages.directory import directory_page
from portal_app.pages.facility import facility_registration_page, facility_scores_page
from portal_app.pages.feedback import (
    announcements_admin_page,
    announcements_page,
    feedback_group_admin_page,
    feedback_group_page,
)
from portal_app.pages.guidelines import coming_soon_page
from portal_app.pages.help import help_page
from portal_app.pages.home import home_page, not_allowed_page
from portal_app.pages.notifications import notifications_page
from portal_app.pages.order_wizard import order_wizard_page
from portal_app.pages.orders import my_orders_page, order_summary_page, verify_page
from portal_app.pages.pa_needed import pa_needed_page
from portal_app.pages.plan_files import plan_files_page
from portal_app.pages.plan_setup import plan_setup_page
from portal_app.pages.register import register_page
from portal_app.pages.review import case_page, queue_page
from portal_app.pages.sign_in import sign_in_page
from portal_app.pages.transition import transition_page
from portal_app.pages.transparency import transparency_page
from portal_app.pages.user_admin import user_admin_page
from portal_app.reference.warmup import warm_reference_data
from portal_app.services.mail import deliver_mail_forever
from portal_app.services.subscriptions import deliver_notifications_forever
from portal_app.services.upkeep import run_upkeep_forever
from portal_app.state.account import ChangePasswordState, ConfirmEmailState, ResetPasswordState
from portal_app.state.admin import AuditLogState, OutboxState, RegistrationsState
from portal_app.state.admin_facilities import AdminFacilitiesState
from portal_app.state.auth import AuthState, SessionBinding
from portal_app.state.case_compliance import CaseComplianceState
from portal_app.state.code_lists import CodeListsState
from portal_app.state.code_lookup import CodeLookupState
from portal_app.state.conversation import OfficeCallState, PhysicianCallsState
from portal_app.state.dashboard import DashboardState
from portal_app.state.demographics import AdminChangesState, DemographicChangesState, FaxConfirmationState
from portal_app.state.device_data import DeviceDataUploadState, HeldDeviceDataState
from portal_app.state.directory import DirectoryState
from portal_app.state.facility import FacilityRegistrationState, FacilityScoresState
from portal_app.state.feedback import (
    AnnouncementsAdminState,
    AnnouncementsState,
    FeedbackGroupAdminState,
)
from portal_app.state.guidelines import ComingSoonState
from portal_app.state.help import HelpState
from portal_app.state.notifications import EmailPreferenceState, NotificationsState
from portal_app.state.order_wizard import OrderWizardState
from portal_app.state.orders import MyOrdersState, OrderSummaryState, VerifyState
from portal_app.state.pa_needed import PaNeededState
from portal_app.state.plan_files import PlanFilesState
from portal_app.state.plan_setup import PlanSetupState
from portal_app.state.review import CaseState, ReviewQueueState
from portal_app.state.sign_in import SignInState
from portal_app.state.survey import SurveyState
from portal_app.state.transition import TransitionState
from portal_app.state.transparency import TransparencyState
from portal_app.state.user_admin import UserAdminState

# No cookie, token or event payload in the logs; data files for the service user only.
log_redaction.install()
keep_data_private()


class PortalApp(rx.App):
    """The Reflex app, its backend wrapped so that EHR apps' CORS preflights for CDS Hooks are answered
    (Reflex's own CORS middleware, outermost, admits only the portal's origin)."""

    def __call__(self):
        return CdsHooksPreflight(super().__call__())


app = PortalApp(
    stylesheets=["/portal.css"],
    head_components=[rx.script(src="/menus.js")],
    api_transformer=[
        Starlette(
            routes=[
                *AUTH_ROUTES,
                *OIDC_ROUTES,
                *DOCUMENT_ROUTES,
                *FHIR_ROUTES,
                *DEVICE_DATA_ROUTES,
                *CDS_HOOKS_ROUTES,
            ]
        ),
        # /_upload runs only with a live session cookie of its own request, and within the size
        # limit, which is checked first: the guard wraps the session check (docs/security.md).
        lambda asgi: RequestSessionMiddleware(asgi, event_processor=lambda: app.event_processor),
        UploadGuardMiddleware,
        SecurityHeadersMiddleware,
    ],
)
# Every event: the tab's state belongs to the session cookie of the request (else it is reset).
app.add_middleware(SessionBinding())

_WHO = AuthState.load_session


def _page(component, route: str, title: str, *on_load) -> None:
    app.add_page(component, route=route, title=f"{title} — Precert", on_load=[_WHO, *on_load])


_page(home_page, routes.HOME, "Prior authorization portal")
_page(sign_in_page, routes.SIGN_IN, "Sign in", SignInState.load_page)
_page(register_page, routes.REGISTER, "Register")
_page(confirm_email_page, routes.CONFIRM_EMAIL, "Confirm e-mail", ConfirmEmailState.load_page)
_page(forgot_password_page, routes.FORGOT_PASSWORD, "Forgot password")
_page(reset_password_page, routes.RESET_PASSWORD, "Reset password", ResetPasswordState.load_page)
_page(
    account_page, routes.ACCOUNT, "My account", ChangePasswordState.load_page, EmailPreferenceState.load_page
)
_page(not_allowed_page, routes.NOT_ALLOWED, "Not allowed")
_page(notifications_page, routes.NOTIFICATIONS, "Notifications", NotificationsState.load_page)
_page(registrations_page, routes.ADMIN_REGISTRATIONS, "Pending registrations", RegistrationsState.load_page)
_page(audit_page, routes.ADMIN_AUDIT, "Audit log", AuditLogState.load_page)
_page(outbox_page, routes.ADMIN_OUTBOX, "Outbox", OutboxState.load_page)
_page(user_admin_page, routes.ADMIN_USERS, "Users and practices", UserAdminState.load_page)
_page(plan_files_page, routes.ADMIN_PLAN_FILES, "Plan files", PlanFilesState.load_page)
_page(code_lists_page, routes.ADMIN_CODE_LISTS, "Code lists", CodeListsState.load_page)
_page(plan_setup_page, routes.ADMIN_PLANS, "Health plans", PlanSetupState.load_page)
_page(order_wizard_page, routes.ORDER_NEW, "New request", OrderWizardState.load_page)
_page(my_orders_page, routes.MY_ORDERS, "My orders", MyOrdersState.load_page)
_page(verify_page, routes.VERIFY, "Verify an order", VerifyState.load_page)
_page(
    order_summary_page,
    routes.ORDER,
    "Order summary",
    OrderSummaryState.load_order,
    SurveyState.load_offer,
    OfficeCallState.load_page,
)
_page(directory_page, routes.PROVIDER_DIRECTORY, "Find a provider", DirectoryState.load_page)
_page(
    queue_page, routes.REVIEW_QUEUE, "Review queue", ReviewQueueState.load_page, PhysicianCallsState.load_page
)
_page(case_page, routes.REVIEW_CASE, "Case review", CaseState.load_page, CaseComplianceState.load_page)
_page(dashboard_page, routes.REVIEW_DASHBOARD, "Review dashboard", DashboardState.load_page)
_page(device_data_page, routes.SLEEP_DEVICE_DATA, "PAP device data", DeviceDataUploadState.load_page)
_page(held_device_data_page, routes.ADMIN_DEVICE_DATA, "Held device data", HeldDeviceDataState.load_page)
_page(code_lookup_page, routes.RADIATION_CODES, "Radiation therapy codes", CodeLookupState.load_page)
_page(help_page, routes.HELP, "Help desk", HelpState.load_page)
_page(
    coming_soon_page,
    routes.GUIDELINES_COMING_SOON,
    "Coming soon: guideline changes",
    ComingSoonState.load_page,
)
_page(
    demographic_changes_page,
    routes.DEMOGRAPHIC_CHANGES,
    "Provider changes",
    DemographicChangesState.load_page,
)
_page(fax_confirmation_page, routes.FAX_CONFIRMATION, "Fax numbers", FaxConfirmationState.load_page)
_page(admin_changes_page, routes.ADMIN_CHANGES, "Changes and faxes", AdminChangesState.load_page)
_page(
    facility_registration_page,
    routes.FACILITY_REGISTRATION,
    "Facility registration",
    FacilityRegistrationState.load_page,
)
_page(facility_scores_page, routes.FACILITY_SCORES, "Facility scores", FacilityScoresState.load_page)
_page(
    admin_facilities_page, routes.ADMIN_FACILITIES, "Facility registrations", AdminFacilitiesState.load_page
)
_page(transparency_page, routes.TRANSPARENCY, "Prior authorization transparency", TransparencyState.load_page)
_page(pa_needed_page, routes.PA_NEEDED, "Is prior authorization needed?", PaNeededState.load_page)
_page(
    transition_page,
    routes.TRANSITION_OF_CARE,
    "Authorization from a previous plan",
    TransitionState.load_page,
)
_page(announcements_page, routes.ANNOUNCEMENTS, "Announcements", AnnouncementsState.load_page)
_page(feedback_group_page, routes.FEEDBACK_GROUP, "Join the user experience feedback group")
_page(
    announcements_admin_page,
    routes.ADMIN_ANNOUNCEMENTS,
    "Write announcements",
    AnnouncementsAdminState.load_page,
)
_page(
    feedback_group_admin_page,
    routes.ADMIN_FEEDBACK_GROUP,
    "Feedback group sign-ups",
    FeedbackGroupAdminState.load_page,
)

app.register_lifespan_task(warm_reference_data)
app.register_lifespan_task(deliver_notifications_forever)
app.register_lifespan_task(run_upkeep_forever)
app.register_lifespan_task(deliver_mail_forever)
