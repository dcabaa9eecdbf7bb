"""Every route of the portal, in one place."""

# Pages of the single-page app.
HOME = "/"
SIGN_IN = "/sign-in"
REGISTER = "/register"
CONFIRM_EMAIL = "/confirm-email"
RESET_PASSWORD = "/reset-password"
FORGOT_PASSWORD = "/forgot-password"
ACCOUNT = "/account"
NOTIFICATIONS = "/notifications"
NOT_ALLOWED = "/not-allowed"
ADMIN_REGISTRATIONS = "/admin/registrations"
ADMIN_AUDIT = "/admin/audit"
ADMIN_OUTBOX = "/admin/outbox"
ORDER_NEW = "/orders/new"
MY_ORDERS = "/orders"
ORDER = "/orders/[order_number]"
VERIFY = "/verify"
PROVIDER_DIRECTORY = "/providers"
REVIEW_QUEUE = "/review"
REVIEW_CASE = "/review/case/[order_number]"
REVIEW_DASHBOARD = "/review/dashboard"
HELP = "/help"
RADIATION_CODES = "/help/radiation-codes"
SLEEP_DEVICE_DATA = "/sleep/device-data"
ADMIN_DEVICE_DATA = "/admin/device-data"
FACILITY_REGISTRATION = "/facility/registration"
FACILITY_SCORES = "/facility/scores"
ADMIN_FACILITIES = "/admin/facilities"
DEMOGRAPHIC_CHANGES = "/practice/changes"
FAX_CONFIRMATION = "/practice/fax"
ADMIN_CHANGES = "/admin/changes"
ADMIN_PLAN_FILES = "/admin/plan-files"
ADMIN_CODE_LISTS = "/admin/code-lists"
ADMIN_USERS = "/admin/users"
ADMIN_PLANS = "/admin/plans"
# Public, no sign-in: CMS-0057-F prior-authorization transparency (issue 24).
TRANSPARENCY = "/prior-authorization"
PA_NEEDED = "/prior-authorization/needed"
TRANSITION_OF_CARE = "/practice/previous-plan"
# Public, no sign-in: guideline versions not yet in force and what they change (issue 23).
GUIDELINES_COMING_SOON = "/guidelines/coming-soon"
# Public, no sign-in: the provider newsletter and the feedback group's sign-up (issue 25, seed 004).
ANNOUNCEMENTS = "/announcements"
FEEDBACK_GROUP = "/feedback-group"
ADMIN_ANNOUNCEMENTS = "/admin/announcements"
ADMIN_FEEDBACK_GROUP = "/admin/feedback-group"

# HTTP routes served by the backend (not pages of the single-page app).
AUTH_FINISH = "/auth/finish"
AUTH_SIGN_OUT = "/auth/sign-out"
AUTH_OIDC_LOGIN = "/auth/oidc/login"
AUTH_OIDC_CALLBACK = "/auth/oidc/callback"
API_DEVICE_DATA = "/api/device-data"


def order(order_number: str) -> str:
    return f"/orders/{order_number}"


def verify(order_number: str) -> str:
    """The verify page with ``order_number`` filled in (servicing offices read orders only there)."""
    return f"{VERIFY}?order={order_number}"


def review_case(order_number: str) -> str:
    return f"/review/case/{order_number}"
