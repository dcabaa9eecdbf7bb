"""Page objects for the program step of the order wizard ("Request details"), one class per program,
and the generic wizard steps around it, driven either with the mouse or with the keyboard alone.

Every step object takes ``hands``: ``MouseHands`` (the default: select_option, fill, click) or
``KeyboardHands`` (Tab and Shift+Tab to the field, arrow keys in lists, typing, Space and Enter).
The same flow therefore proves a wizard works both ways::

    step = MskStep(page, KeyboardHands(page))
    step.knee_replacement(side="Right", weeks_of_care=16)

``tab_to(page, locator)`` is the keyboard helper on its own: it presses Tab (or Shift+Tab when the
target comes before the focus) until the element is focused, and fails with a clear message after
``TAB_LIMIT`` presses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from playwright.sync_api import Locator, Page, expect

TAB_LIMIT = 80

# Where the target stands relative to the focused element: "here", "before" or "after".
_POSITION_JS = """(el) => {
  const active = document.activeElement;
  if (el === active) return "here";
  if (!active || active === document.body) return "after";
  return (el.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING) ? "before" : "after";
}"""
_DESCRIBE_FOCUS_JS = "() => document.activeElement?.outerHTML.slice(0, 200) ?? 'nothing'"
# A focus ring on the element itself, on its ::before box (Radix checkboxes) or on its parent
# (Radix text fields draw it on the wrapper with :focus-within).
_FOCUS_RING_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const ring = (style) => {
    if (!style) return "";
    const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    if (outlined) return "outline " + style.outlineStyle;
    if (style.boxShadow && style.boxShadow !== "none") return "box-shadow " + style.boxShadow;
    return "";
  };
  return ring(getComputedStyle(el)) || ring(getComputedStyle(el, "::before"))
    || (el.parentElement ? ring(getComputedStyle(el.parentElement)) : "");
}"""
_OPTION_INDEX_JS = """(el, wanted) => [...el.options].findIndex((o, i) =>
  wanted.index !== null ? i === wanted.index
  : wanted.value !== null ? o.value === wanted.value : o.textContent.trim() === wanted.label)"""


def tab_to(page: Page, target: Locator, *, limit: int = TAB_LIMIT) -> None:
    """Move keyboard focus to ``target`` with Tab or Shift+Tab, at most ``limit`` presses."""
    expect(target).to_be_visible()
    for _ in range(limit):
        position = target.evaluate(_POSITION_JS)
        if position == "here":
            return
        page.keyboard.press("Shift+Tab" if position == "before" else "Tab")
    if target.evaluate(_POSITION_JS) != "here":
        raise AssertionError(
            f"{limit} presses of Tab did not reach {target}; focus is on {page.evaluate(_DESCRIBE_FOCUS_JS)}"
        )


def focus_ring(page: Page) -> str:
    """How the focused element shows its focus ("outline solid", "box-shadow ..."), or "" if it does not."""
    return page.evaluate(_FOCUS_RING_JS)


def assert_focus_visible(page: Page) -> None:
    assert focus_ring(page), f"no visible focus ring on {page.evaluate(_DESCRIBE_FOCUS_JS)}"


class MouseHands:
    """Fill fields the quick way: select_option, fill and click."""

    def __init__(self, page: Page):
        self.page = page

    def choose(
        self, select: Locator, *, label: str | None = None, value: str | None = None, index: int | None = None
    ) -> None:
        if index is not None:
            expect(select.locator("option")).not_to_have_count(index)
            select.select_option(index=index)
        elif value is not None:
            select.select_option(value=value)
        else:
            expect(select.locator("option", has_text=label)).not_to_have_count(0)
            select.select_option(label=label)

    def type_into(self, field: Locator, text: str) -> None:
        field.fill(text)

    def enter_date(self, field: Locator, day: date) -> None:
        field.fill(day.isoformat())

    def tick(self, checkbox: Locator) -> None:
        expect(checkbox).to_be_visible()
        if not checkbox.is_checked():
            checkbox.click()
        expect(checkbox).to_be_checked()

    def press(self, button: Locator) -> None:
        button.click()


class KeyboardHands:
    """Fill fields as a person without a mouse: Tab to the field, arrow keys, typing, Space, Enter."""

    def __init__(self, page: Page):
        self.page = page

    def choose(
        self, select: Locator, *, label: str | None = None, value: str | None = None, index: int | None = None
    ) -> None:
        tab_to(self.page, select)
        if label is not None:
            expect(select.locator("option", has_text=label)).not_to_have_count(0)
        elif index is not None:
            expect(select.locator("option")).not_to_have_count(index)
        wanted = select.evaluate(_OPTION_INDEX_JS, {"label": label, "value": value, "index": index})
        assert wanted >= 0, f"{select} has no option {label or value}"
        # One arrow at a time, each waiting for the portal's answer: the select shows the state's value.
        while (current := select.evaluate("el => el.selectedIndex")) != wanted:
            step = 1 if wanted > current else -1
            self.page.keyboard.press("ArrowDown" if step > 0 else "ArrowUp")
            expect(select).to_have_value(select.evaluate("(el, i) => el.options[i].value", current + step))

    def type_into(self, field: Locator, text: str) -> None:
        tab_to(self.page, field)
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.type(text)
        expect(field).to_have_value(text)

    def enter_date(self, field: Locator, day: date) -> None:
        """A date field takes the digits in the browser's order (month, day, year in en-US)."""
        tab_to(self.page, field)
        self.page.keyboard.type(day.strftime("%m%d%Y"))
        expect(field).to_have_value(day.isoformat())

    def tick(self, checkbox: Locator) -> None:
        tab_to(self.page, checkbox)
        if not checkbox.is_checked():
            self.page.keyboard.press("Space")
        expect(checkbox).to_be_checked()

    def press(self, button: Locator) -> None:
        tab_to(self.page, button)
        self.page.keyboard.press("Enter")


Hands = MouseHands | KeyboardHands


class _Form:
    def __init__(self, page: Page, hands: Hands | None = None):
        self.page = page
        self.hands = hands or MouseHands(page)

    def field(self, label: str | re.Pattern) -> Locator:
        if isinstance(label, str):
            return self.page.get_by_label(label, exact=True)
        return self.page.get_by_label(label)

    def choose(self, label: str | re.Pattern, option: str | None = None, *, value: str | None = None) -> None:
        self.hands.choose(self.field(label), label=option, value=value)

    def type(self, label: str | re.Pattern, text: str | int | float) -> None:
        self.hands.type_into(self.field(label), str(text))

    def tick(self, name: str | re.Pattern) -> None:
        self.hands.tick(self.page.get_by_role("checkbox", name=name))

    def tick_code(self, code: str) -> None:
        """The checkbox of a procedure code, labelled "<code> — <description>"."""
        self.tick(re.compile(f"^{re.escape(code)} "))

    def press(self, name: str | re.Pattern) -> None:
        self.hands.press(self.page.get_by_role("button", name=name))


class ImagingStep(_Form):
    def exam(
        self,
        *,
        exam: str,
        body_part: str,
        procedure_code: str,
        reason: str,
        weeks_of_symptoms: int | None = None,
        weeks_of_care: int | None = None,
    ) -> None:
        self.choose("Kind of exam", exam)
        self.choose("Body part", body_part)
        self.choose("Procedure", value=procedure_code)
        self.choose("Reason for the exam", reason)
        if weeks_of_symptoms is not None:
            self.type("Weeks of symptoms", weeks_of_symptoms)
        if weeks_of_care is not None:
            self.type("Weeks of conservative care", weeks_of_care)

    def lumbar_mri(self, *, weeks_of_care: int) -> None:
        """An MRI of the lower back for low back pain (72148)."""
        self.exam(
            exam="MRI",
            body_part="Lower back spine (lumbar)",
            procedure_code="72148",
            reason="Low back pain, with or without leg pain",
            weeks_of_symptoms=max(weeks_of_care, 2),
            weeks_of_care=weeks_of_care,
        )


class MskStep(_Form):
    def procedure(self, kind: str, procedure: str) -> None:
        self.choose("Kind of procedure", kind)
        self.choose("Procedure", procedure)

    def knee_replacement(
        self,
        *,
        side: str = "Right",
        setting: str = "outpatient",
        weeks_of_care: int = 16,
        findings: tuple[str, ...] = ("Advanced arthritis",),
    ) -> None:
        """A total knee replacement (27447) after conservative care, with its imaging findings."""
        self.procedure("Joint surgery (hip, knee, shoulder)", "Knee replacement")
        self.choose("Side", side)
        self.choose("Setting", value=setting)
        self.tick_code("27447")
        self.type("Weeks of conservative care", weeks_of_care)
        for finding in findings:
            self.tick(re.compile(f"^{re.escape(finding)}"))

    def epidural_injection(
        self,
        *,
        spine: str = "Lower back (lumbar)",
        levels: int = 1,
        code: str = "62322",
        weeks_of_care: int = 6,
    ) -> None:
        self.procedure("Interventional pain management", "Epidural steroid injection")
        self.choose("Part of the spine", spine)
        self.type("Number of spinal levels", levels)
        self.tick_code(code)
        self.type("Weeks of conservative care", weeks_of_care)


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    region: str
    postal_code: str


class OutpatientStep(_Form):
    def address(self, end: str, address: Address) -> None:
        """``end`` is "Pick-up" or "Destination"."""
        self.type(f"{end}: street address", address.street)
        self.type(f"{end}: city", address.city)
        self.type(f"{end}: state or region", address.region)
        self.type(f"{end}: ZIP or postal code", address.postal_code)

    def answer(self, question: str, answer: str) -> None:
        """A clinical question of the requested code, by the start of its text: "Yes", "No" or "Not known"."""
        self.choose(re.compile(f"^{re.escape(question)}"), answer)

    def wheelchair_trip(
        self, pick_up: Address, destination: Address, *, reason: str, trip: str = "One way"
    ) -> None:
        """A non-emergency wheelchair van ride (A0130) that is not on a schedule."""
        self.choose("Kind of service", "Non-emergency ground transportation")
        self.address("Pick-up", pick_up)
        self.address("Destination", destination)
        self.choose("Kind of trip", trip)
        self.choose("Help the member needs to travel", value="wheelchair")
        self.type("Medical reason for the transport", reason)
        self.tick_code("A0130")
        self.answer("Is the trip to or from a covered medical", "Yes")
        self.answer("Does the member need a wheelchair", "Yes")


class MedicalOncologyStep(_Form):
    def describe_cancer(
        self,
        *,
        primary: str,
        cancer: str,
        setting: str,
        goal: str = "palliative",
        biomarkers: dict[str, str] | None = None,
    ) -> None:
        """``biomarkers`` maps a question's label to the value of its answer."""
        self.type(re.compile("^Primary diagnosis"), primary)
        expect(self.page.get_by_text(re.compile(f"^{re.escape(primary)}: "))).to_be_visible()
        self.choose("Cancer type", cancer)
        self.choose("Stage or setting", setting)
        self.choose("Goal of treatment", value=goal)
        for question, answer in (biomarkers or {}).items():
            self.choose(question, value=answer)

    def regimen(self, name: str) -> Locator:
        return self.page.get_by_role("group", name=f"Regimen {name}")

    def choose_regimen(self, name: str) -> None:
        self.hands.press(self.regimen(name).get_by_role("button", name=f"Choose {name}"))

    def dose(self, *, height_cm: int, weight_kg: int, to_cycle: int) -> None:
        self.type("Height (cm)", height_cm)
        self.type("Weight (kg)", weight_kg)
        self.type("To cycle", to_cycle)

    def her2_positive_metastatic_breast(self, *, primary: str = "C50.911", cycles: int = 6) -> None:
        """THP for HER2-positive metastatic breast cancer, dosed for a 165 cm, 70 kg patient."""
        self.describe_cancer(
            primary=primary,
            cancer="Breast cancer",
            setting="Advanced or metastatic",
            biomarkers={"HER2 status": "positive", "Estrogen and progesterone receptors (ER/PR)": "negative"},
        )
        self.choose_regimen("THP: docetaxel, trastuzumab and pertuzumab")
        self.dose(height_cm=165, weight_kg=70, to_cycle=cycles)


class RadiationOncologyStep(_Form):
    def course(
        self, *, cancer: str, site: str, goal: str, modality: str, fractions: int, total_dose_gy: float
    ) -> None:
        self.choose("Cancer type", cancer)
        self.choose("Treatment site", site)
        self.choose("Goal of treatment", goal)
        self.choose("Kind of radiation (modality)", modality)
        self.type("Number of treatments (fractions)", fractions)
        self.type("Total dose (Gy)", f"{total_dose_gy:g}")

    def prostate_imrt(self, *, fractions: int = 28, total_dose_gy: float = 70) -> None:
        self.course(
            cancer="Prostate cancer",
            site="Prostate",
            goal="Cure (curative intent)",
            modality="Intensity-modulated radiation therapy (IMRT, including VMAT)",
            fractions=fractions,
            total_dose_gy=total_dose_gy,
        )

    def codes(self) -> Locator:
        return self.page.get_by_role("list", name="Codes requested")


class GeneticTestingStep(_Form):
    def test(self, category: str, test: str) -> None:
        self.choose("Kind of test", category)
        self.choose("Test", test)

    def add_relative(self, relative: str, side: str | None, condition: str, age: int) -> None:
        """A pedigree row, filled inside its own group ("Relative N")."""
        rows = self.page.get_by_role("group", name=re.compile(r"^Relative \d+$"))
        count = rows.count()
        self.press("Add a relative")
        row = self.page.get_by_role("group", name=f"Relative {count + 1}", exact=True)
        self.hands.choose(row.get_by_label("Relative", exact=True), label=relative)
        if side:
            self.hands.choose(row.get_by_label("Side of the family", exact=True), label=side)
        self.hands.choose(row.get_by_label("Condition", exact=True), label=condition)
        self.hands.type_into(row.get_by_label("Relative's age at diagnosis", exact=True), str(age))

    def brca_panel_after_breast_cancer_at(self, age: int) -> None:
        self.test(
            "Inherited cancer risk (BRCA1/2, Lynch syndrome, hereditary cancer panels)",
            "Hereditary breast, ovarian and related cancers panel",
        )
        self.choose("Has the member had this test before?", "No")
        self.choose("Cancer the member has had (if any)", "Breast cancer")
        self.type("Age at diagnosis", age)
        self.choose("Pre-test genetic counselling", "Yes, before the test")
        self.choose("Who gave the counselling", "Certified genetic counselor (CGC)")
        self.tick("Choice of surgery, including risk-reducing surgery")

    def codes(self) -> Locator:
        return self.page.get_by_role("list", name="Codes requested")


class SurgicalStep(_Form):
    def procedure(self, procedure: str, *codes: str) -> None:
        self.choose("Procedure", procedure)
        for code in codes:
            self.tick_code(code)

    def egd_with_alarm_features(self, *features: str, code: str = "43239") -> None:
        """An upper GI endoscopy for alarm features (approved at once at an ambulatory surgery center)."""
        self.procedure("Upper GI endoscopy (EGD)", code)
        for feature in features:
            self.tick(feature)

    def site_of_care(self) -> Locator:
        """The line naming the site of care (it follows from the servicing facility)."""
        return self.page.locator("p").filter(has_text=re.compile("^Site of care:"))


class RehabilitationStep(_Form):
    def therapy(self, *, discipline: str, body_region: str, request_type: str) -> None:
        self.choose("Therapy discipline", discipline)
        self.choose("Body region", body_region)
        self.choose("Kind of request", request_type)

    def outcome_total(self, tool: str, total: int | float) -> None:
        """A licensed tool (ODI, NDI, QuickDASH) is entered as the total scored on its form."""
        self.choose("Functional outcome tool", tool)
        self.type("Total score on the licensed form", f"{total:g}")

    def first_pt_for_low_back(self, *, initial_evaluation: date, odi: int = 40, code: str = "97110") -> None:
        self.therapy(
            discipline="Physical therapy", body_region="Low back", request_type="First treatment request"
        )
        self.hands.enter_date(self.field("Initial evaluation date of the episode"), initial_evaluation)
        self.outcome_total("Oswestry Disability Index (ODI)", odi)
        self.tick_code(code)


class SleepStep(_Form):
    def request(self, kind: str) -> None:
        self.choose("Kind of request", kind)

    def home_sleep_test(self, *, code: str = "G0399") -> None:
        """A diagnostic home sleep test for an adult with no condition that calls for the lab."""
        self.request("Diagnostic sleep study")
        self.choose("Kind of sleep study", "Home sleep test")
        self.tick_code(code)

    def supplies(self, quantities: dict[str, int], *, model: str = "") -> None:
        """PAP supplies: a quantity per HCPCS item, and the device model."""
        self.request("PAP supplies")
        if model:
            self.type("Device make and model", model)
        for item, quantity in quantities.items():
            self.type(re.compile(f"^{re.escape(item)} "), quantity)


class CardiologyStep(_Form):
    def procedure(self, procedure: str, code: str, reason: str) -> None:
        self.choose("Procedure", procedure)
        self.choose("Procedure code", value=code)
        self.choose("Reason for the procedure", reason)

    def icd_meeting_ncd_20_4(self) -> None:
        """A primary prevention ICD (33249): ischaemic cardiomyopathy, LVEF 25%, heart attack 90 days ago,
        NYHA II, shared decision-making documented (CMS NCD 20.4)."""
        self.procedure(
            "Implantable defibrillator (ICD)", "33249", "Weak heart muscle (cardiomyopathy), no arrest yet"
        )
        self.choose("Cardiomyopathy", "Ischaemic (after heart attacks or coronary disease)")
        self.choose("NYHA class", "Class II: slight limit")
        self.type("Ejection fraction (%)", 25)
        self.type("Days since the heart attack", 90)
        self.tick("A shared decision-making visit about the device is documented")


class RequestWizard(_Form):
    """The generic steps around the program's step (plan, member, providers, diagnosis, urgency,
    review), by mouse or keyboard. ``tests/e2e/pages/order_wizard.py`` has the mouse-only original."""

    def open(self) -> RequestWizard:
        self.page.goto("/orders/new")
        expect(self.page.get_by_role("heading", name="New prior-authorization request")).to_be_visible()
        return self

    def step_heading(self) -> Locator:
        return self.page.get_by_role("navigation", name="Progress").locator("[aria-current=step]")

    def next(self, expected_step: str | None = None) -> None:
        self.press("Next")
        if expected_step:
            expect(self.step_heading()).to_contain_text(expected_step)

    def choose_plan(self, service_date: date, *, plan: str, program: str) -> None:
        self.choose("Health plan", plan)
        self.hands.enter_date(self.page.locator("#field-service_date"), service_date)
        self.choose("Program", program)

    def choose_member(self, member_number: str) -> None:
        self.type("Member ID", member_number)
        self.press("Search members")
        self.press(re.compile(f"^Select .* {member_number}$"))
        self.tick(re.compile("^I have checked the name"))

    def choose_providers(self, servicing_query: str = "Free-standing") -> None:
        self.hands.choose(self.field("Ordering provider"), index=1)
        self.type("Find the servicing provider or facility", servicing_query)
        self.press("Search providers")
        in_network = self.page.get_by_role("row").filter(has_text="In network").first
        self.hands.press(in_network.get_by_role("button", name=re.compile("^Select")))
        expect(self.field("Office address for letters")).not_to_have_value("")
        self.tick("The address and fax for letters are correct")

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

    def add_diagnosis(self, code: str) -> None:
        self.type("Search ICD-10-CM by code or words", code)
        self.press("Search codes")
        self.press(f"Add diagnosis {code}")
        expect(self.page.get_by_role("list", name="Diagnoses on the request")).to_contain_text(code)

    def finish(self, diagnosis: str | None) -> None:
        """Diagnosis (``None`` when the program step put it there already), urgency and date, submit."""
        self.next("Diagnosis")
        if diagnosis:
            self.add_diagnosis(diagnosis)
        self.next("Urgency and date")
        self.next("Review and submit")
        self.press("Submit request")
