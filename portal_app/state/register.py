"""The registration wizard: five steps, back and next keep what was typed."""

from __future__ import annotations

import reflex as rx
from pydantic import ValidationError

from portal_app.domain.enums import Role
from portal_app.domain.identifiers import normalize_tax_id
from portal_app.domain.password_policy import PasswordCheck, password_checks
from portal_app.reference import common_passwords
from portal_app.services.rate_limits import RateLimited
from portal_app.services.registration import (
    REGISTRABLE_ROLES,
    Registration,
    RegistrationError,
    credential_errors,
    register,
    tax_id_errors,
    user_details_errors,
)
from portal_app.state.auth import call_public
from portal_app.state.focus import focus_first_error

STEPS = ["Your details", "Username and password", "Practices", "Review", "Check your inbox"]
REVIEW_STEP, DONE_STEP = 3, 4
TEXT_FIELDS = ("full_name", "email", "phone", "fax", "role", "username", "tax_id_input")
ERROR_FIELDS = (
    "full_name",
    "email",
    "phone",
    "fax",
    "role",
    "username",
    "password",
    "password_again",
    "tax_ids",
)
_FIELD_STEP = {
    "full_name": 0,
    "email": 0,
    "phone": 0,
    "fax": 0,
    "role": 0,
    "username": 1,
    "password": 1,
    "password_again": 1,
    "tax_ids": 2,
}
MAX_TAX_IDS = 20
ROLE_CHOICES = [(role.value, role.label) for role in REGISTRABLE_ROLES]


# Reused as is: the domain's password_policy.PasswordCheck holds just what the page shows.
RuleRow = PasswordCheck


def _no_errors() -> dict[str, str]:
    return dict.fromkeys(ERROR_FIELDS, "")


class RegisterState(rx.State):
    step: int = 0
    full_name: str = ""
    email: str = ""
    phone: str = ""
    fax: str = ""
    role: str = ""
    username: str = ""
    tax_id_input: str = ""
    tax_ids: list[str] = []
    errors: dict[str, str] = _no_errors()
    form_error: str = ""
    submitting: bool = False
    password_rules: list[RuleRow] = []
    # Secrets stay on the server: never echoed back to the browser.
    _password: str = ""
    _password_again: str = ""

    @rx.var
    def role_label(self) -> str:
        return Role(self.role).label if self.role in {r.value for r in REGISTRABLE_ROLES} else ""

    @rx.event
    def update_field(self, field: str, value: str):
        """Store one typed value; only the wizard's own text fields are accepted."""
        if field not in TEXT_FIELDS or not isinstance(value, str):
            return
        setattr(self, field, value[:254])
        if field == "username":
            self._refresh_password_rules()

    @rx.event
    def update_password(self, value: str):
        self._password = str(value)[:256]
        self._refresh_password_rules()

    @rx.event
    def update_password_again(self, value: str):
        self._password_again = str(value)[:256]

    def _refresh_password_rules(self) -> None:
        self.password_rules = password_checks(
            self._password, username=self.username, common=common_passwords()
        )

    @rx.event
    def add_tax_id(self):
        normalized = normalize_tax_id(self.tax_id_input)
        errors = _no_errors()
        if normalized is None:
            errors["tax_ids"] = "A tax ID has 9 digits, written 123456789 or 12-3456789."
        elif len(self.tax_ids) >= MAX_TAX_IDS:
            errors["tax_ids"] = f"Add at most {MAX_TAX_IDS} tax IDs; support can add more later."
        elif normalized not in self.tax_ids:
            self.tax_ids = [*self.tax_ids, normalized]
            self.tax_id_input = ""
        self.errors = errors

    @rx.event
    def remove_tax_id(self, tax_id: str):
        self.tax_ids = [t for t in self.tax_ids if t != tax_id]

    def _step_errors(self) -> dict[str, str]:
        if self.step == 0:
            return user_details_errors(
                full_name=self.full_name, email=self.email, phone=self.phone, fax=self.fax, role=self.role
            )
        if self.step == 1:
            return credential_errors(
                username=self.username, password=self._password, password_again=self._password_again
            )
        if self.step == 2:
            return tax_id_errors(self.tax_ids)
        return {}

    @rx.event
    def next_step(self):
        found = self._step_errors()
        self.errors = {**_no_errors(), **found}
        self.form_error = "Please correct the fields marked below." if found else ""
        if found:
            return focus_first_error()
        if self.step < REVIEW_STEP:
            self.step += 1

    @rx.event
    def previous_step(self):
        if 0 < self.step <= REVIEW_STEP:
            self.step -= 1
            self.errors = _no_errors()
            self.form_error = ""

    @rx.event
    async def submit(self):
        if self.step != REVIEW_STEP or self.submitting:
            return
        self.submitting = True
        yield
        try:
            registration = Registration(
                full_name=self.full_name,
                email=self.email,
                phone=self.phone,
                fax=self.fax,
                role=self.role,
                username=self.username,
                password=self._password,
                password_again=self._password_again,
                tax_ids=list(self.tax_ids),
            )
        except ValidationError:
            self.form_error = "Some answers are too long. Please shorten them and try again."
            self.submitting = False
            return
        address = self.router.session.client_ip
        try:
            outcome = await call_public(register, registration=registration, client_address=address)
        except RateLimited as refused:
            self.form_error = refused.message
            self.submitting = False
            return
        except RegistrationError as refused:
            self.errors = {**_no_errors(), **refused.field_errors}
            self.step = min(_FIELD_STEP.get(field, REVIEW_STEP) for field in refused.field_errors)
            self.form_error = "The registration could not be sent. Please correct the fields marked below."
            self.submitting = False
            return
        self.email = outcome.email
        self._password = self._password_again = ""
        self.step = DONE_STEP
        self.submitting = False
