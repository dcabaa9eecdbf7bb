"""Page object for the order wizard: a provider office entering an imaging request."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

EVERGREEN = "Evergreen Mutual Health (demo)"
IMAGING = "Radiology and cardiology imaging"


class OrderWizard:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> OrderWizard:
        self.page.goto("/orders/new")
        expect(self.page.get_by_role("heading", name="New prior-authorization request")).to_be_visible()
        return self

    def step_heading(self):
        return self.page.get_by_role("navigation", name="Progress").locator("[aria-current=step]")

    def next(self, expected_step: str | None = None) -> None:
        self.page.get_by_role("button", name="Next").click()
        if expected_step:
            expect(self.step_heading()).to_contain_text(expected_step)

    def choose_plan(self, service_date: date, *, plan: str = EVERGREEN, program: str = IMAGING) -> None:
        self.page.get_by_label("Health plan").select_option(label=plan)
        self.page.locator("#field-service_date").fill(service_date.isoformat())
        program_select = self.page.get_by_label("Program")
        expect(program_select.locator("option", has_text=program)).to_have_count(1)
        program_select.select_option(label=program)

    def choose_member(self, member_number: str) -> None:
        self.page.get_by_label("Member ID").fill(member_number)
        self.page.get_by_role("button", name="Search members").click()
        found = self.page.get_by_role("table", name="Members found")
        found.get_by_role("button", name=re.compile(f"Select .* {member_number}$")).click()
        self.page.get_by_role("checkbox", name=re.compile("I have checked the name")).click()

    def choose_providers(self, servicing_query: str = "Free-standing") -> None:
        ordering = self.page.get_by_label("Ordering provider")
        expect(ordering.locator("option")).not_to_have_count(1)
        ordering.select_option(index=1)
        self.page.get_by_label("Find the servicing provider or facility").fill(servicing_query)
        self.page.get_by_role("button", name="Search providers").click()
        in_network = self.page.get_by_role("row").filter(has_text="In network").first
        in_network.get_by_role("button", name=re.compile("^Select")).click()
        expect(self.page.get_by_label("Office address for letters")).not_to_have_value("")
        self.page.get_by_role("checkbox", name="The address and fax for letters are correct").click()

    def describe_exam(
        self,
        *,
        exam: str,
        body_part: str,
        procedure: str,
        reason: str,
        weeks_of_symptoms: int | None = None,
        weeks_of_care: int | None = None,
    ) -> None:
        self.page.get_by_label("Kind of exam").select_option(label=exam)
        self.page.get_by_label("Body part").select_option(label=body_part)
        self.page.get_by_label("Procedure").select_option(value=procedure)
        self.page.get_by_label("Reason for the exam").select_option(label=reason)
        if weeks_of_symptoms is not None:
            self.page.get_by_label("Weeks of symptoms").fill(str(weeks_of_symptoms))
        if weeks_of_care is not None:
            self.page.get_by_label("Weeks of conservative care").fill(str(weeks_of_care))

    def add_diagnosis(self, code: str) -> None:
        self.page.get_by_label("Search ICD-10-CM by code or words").fill(code)
        self.page.get_by_role("button", name="Search codes").click()
        self.page.get_by_role("button", name=f"Add diagnosis {code}").click()
        expect(self.page.get_by_role("list", name="Diagnoses on the request")).to_contain_text(code)

    def start(
        self,
        member_number: str,
        service_date: date,
        *,
        plan: str,
        program: str,
        servicing_query: str = "Free-standing",
    ) -> None:
        """Plan, member and providers: up to the program's own questions."""
        self.open()
        self.choose_plan(service_date, plan=plan, program=program)
        self.next("Member")
        self.choose_member(member_number)
        self.next("Providers")
        self.choose_providers(servicing_query)
        self.next("Request details")

    def finish(self, diagnosis: str) -> None:
        """Diagnosis, urgency and date, then submit."""
        self.next("Diagnosis")
        self.add_diagnosis(diagnosis)
        self.next("Urgency and date")
        self.next("Review and submit")
        self.submit()

    def check(self, name: str | re.Pattern) -> None:
        self.page.get_by_role("checkbox", name=name).click()

    def describe_therapy(self, *, discipline: str, body_region: str, request_type: str) -> None:
        """The rehabilitation step's first questions (labels as shown)."""
        self.page.get_by_label("Therapy discipline").select_option(label=discipline)
        self.page.get_by_label("Body region").select_option(label=body_region)
        self.page.get_by_label("Kind of request", exact=True).select_option(label=request_type)

    def enter_outcome_total(self, tool: str, total: int | float) -> None:
        """A licensed tool (ODI, NDI, QuickDASH) is entered as the total scored on its form."""
        self.page.get_by_label("Functional outcome tool").select_option(label=tool)
        self.page.get_by_label("Total score on the licensed form").fill(str(total))

    def request_supplies(self, quantities: dict[str, int], *, model: str = "") -> None:
        """The sleep step's PAP supplies: a quantity per HCPCS item, and the device model."""
        self.page.get_by_label("Kind of request", exact=True).select_option(label="PAP supplies")
        if model:
            self.page.get_by_label("Device make and model").fill(model)
        for item, quantity in quantities.items():
            self.page.get_by_label(re.compile(f"^{item} ")).fill(str(quantity))

    def submit(self) -> None:
        self.page.get_by_role("button", name="Submit request").click()

    def lumbar_mri(self, member_number: str, service_date: date, *, weeks_of_care: int) -> None:
        """Everything up to the review step for a lumbar MRI for low back pain."""
        self.open()
        self.choose_plan(service_date)
        self.next("Member")
        self.choose_member(member_number)
        self.next("Providers")
        self.choose_providers()
        self.next("Request details")
        self.describe_exam(
            exam="MRI",
            body_part="Lower back spine (lumbar)",
            procedure="72148",
            reason="Low back pain, with or without leg pain",
            weeks_of_symptoms=max(weeks_of_care, 2),
            weeks_of_care=weeks_of_care,
        )
        self.next("Diagnosis")
        self.add_diagnosis("M54.50")
        self.next("Urgency and date")
        self.next("Review and submit")
