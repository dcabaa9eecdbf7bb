"""Page objects for facility registration (facility staff) and the support list of registrations.

Sign in elsewhere first (tests/e2e/pages/portal.py SignInPage). Questions about one modality carry the
modality's name in their label ("CT: Number of units"), so the same question of two modalities is
found apart.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

MODALITY_NAMES = {
    "ct": "CT",
    "mri": "MRI",
    "nuclear": "Nuclear medicine",
    "pet": "PET",
    "ultrasound": "Ultrasound",
    "echo": "Echocardiography",
}
SECTION_NAMES = {
    "facility": "Facility details",
    "modalities": "Modalities offered",
    "equipment": "Equipment",
    "staff": "Staff qualifications",
    "accreditation": "Accreditation",
    "quality": "Quality control",
}
YES_NO = {True: "Yes", False: "No"}


class FacilityRegistrationPage:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> FacilityRegistrationPage:
        self.page.goto("/facility/registration")
        expect(self.page.get_by_role("heading", name="Facility registration", level=1)).to_be_visible()
        return self

    # --- the list ---

    def start_registration(self) -> FacilityRegistrationPage:
        self.page.get_by_role("button", name="Start a new registration").click()
        expect(self.sections_nav).to_be_visible()
        return self

    def open_registration(self, number: int) -> FacilityRegistrationPage:
        self.page.get_by_role("button", name=f"Open registration {number}").click()
        expect(self.sections_nav).to_be_visible()
        return self

    def back_to_list(self) -> None:
        self.page.get_by_role("button", name="Back to my registrations").click()
        expect(self.page.get_by_role("button", name="Start a new registration")).to_be_visible()

    @property
    def registrations(self):
        return self.page.get_by_role("region", name="Facility registrations")

    # --- the form ---

    @property
    def sections_nav(self):
        return self.page.get_by_role("navigation", name="Registration sections")

    def go_to_section(self, section: str) -> None:
        name = SECTION_NAMES.get(section, section)
        self.sections_nav.get_by_role("button", name=re.compile("^" + re.escape(name))).click()
        expect(self.page.get_by_role("heading", name=name, level=2)).to_be_visible()

    def section_is_complete(self, section: str) -> bool:
        button = self.sections_nav.get_by_role(
            "button", name=re.compile("^" + re.escape(SECTION_NAMES[section]))
        )
        return "(complete)" in button.inner_text()

    def fill_facility(
        self,
        *,
        npi: str,
        name: str,
        facility_type: str = "Free-standing facility",
        address_line: str,
        city: str,
        state: str,
        postal_code: str,
        phone: str,
        fax: str,
        tax_id: str,
    ) -> None:
        """Fill the facility details section (facility_type by its label)."""
        self.go_to_section("facility")
        page = self.page
        page.get_by_label("Facility NPI").fill(npi)
        page.get_by_label("Facility name").fill(name)
        page.get_by_label("Facility type").select_option(label=facility_type)
        page.get_by_label("Street address").fill(address_line)
        page.get_by_label("City").fill(city)
        page.get_by_label("State", exact=True).fill(state)
        page.get_by_label("ZIP code").fill(postal_code)
        page.get_by_label("Phone").fill(phone)
        page.get_by_label("Fax").fill(fax)
        page.get_by_label("Tax ID of the practice").fill(tax_id)

    def choose_modalities(self, *modalities: str) -> None:
        """Tick the modalities offered (codes such as "ct") and untick the others."""
        self.go_to_section("modalities")
        for code, name in MODALITY_NAMES.items():
            box = self.page.get_by_role("checkbox", name=name, exact=True)
            wanted = code in modalities
            if box.is_checked() != wanted:
                box.click()  # the server holds the answer: wait for the round trip
            expect(box).to_be_checked(checked=wanted)

    def add_modality(
        self,
        modality: str,
        *,
        units: int = 1,
        year_installed: int,
        slices: int | None = None,
        field_strength: str | None = None,
        dose_features: bool = True,
        technologists_credentialed: bool = True,
        physicians_board_certified: bool = True,
        physician_on_site_contrast: bool = True,
        accreditation: str = "ACR",
        accreditation_expires: str = "",
        physics_survey_on: str = "",
    ) -> None:
        """Answer the equipment, staff, accreditation and modality-specific quality questions of one
        offered modality, saving each section (tick the modality first with ``choose_modalities``).
        ``accreditation`` is "ACR", "IAC" or "Not accredited"; dates are YYYY-MM-DD."""
        name = MODALITY_NAMES[modality]
        page = self.page
        self.go_to_section("equipment")
        page.get_by_label(f"{name}: Number of units").fill(str(units))
        page.get_by_label(f"{name}: Year the oldest unit was installed").fill(str(year_installed))
        if modality == "ct":
            page.get_by_label(f"{name}: Slices (detector rows) of the least capable scanner").fill(
                str(slices or 64)
            )
            for question in (
                "Do all scanners meet NEMA XR-29 (Smart Dose)?",
                "Is iterative reconstruction available?",
                "Is automatic exposure control used?",
                "Is the dose of every exam recorded?",
            ):
                page.get_by_label(f"{name}: {question}").select_option(label=YES_NO[dose_features])
        if modality == "mri":
            page.get_by_label(f"{name}: Field strength of the weakest magnet (tesla)").fill(
                field_strength or "1.5"
            )
        self.save_section()
        self.go_to_section("staff")
        page.get_by_label(re.compile(f"^{re.escape(name)}: Do all technologists hold")).select_option(
            label=YES_NO[technologists_credentialed]
        )
        page.get_by_label(
            re.compile(f"^{re.escape(name)}: Are all interpreting physicians certified")
        ).select_option(label=YES_NO[physicians_board_certified])
        if modality in ("ct", "mri"):
            page.get_by_label(f"{name}: Is a physician on site whenever contrast is given?").select_option(
                label=YES_NO[physician_on_site_contrast]
            )
        self.save_section()
        self.go_to_section("accreditation")
        page.get_by_label(f"{name}: Accrediting body").select_option(label=accreditation)
        if accreditation_expires:
            page.get_by_label(f"{name}: Accreditation expiry date").fill(accreditation_expires)
        self.save_section()
        if physics_survey_on:
            self.go_to_section("quality")
            page.get_by_label(f"{name}: Date of the last medical physicist survey").fill(physics_survey_on)

    def fill_quality(
        self, *, qc_log: bool = True, dose_registry: bool | None = True, emergency_training: bool = True
    ) -> None:
        """The whole-site quality questions (dose_registry is asked only when CT is offered)."""
        self.go_to_section("quality")
        page = self.page
        page.get_by_label("Do you keep a daily or weekly quality control log for every unit?").select_option(
            label=YES_NO[qc_log]
        )
        if dose_registry is not None:
            page.get_by_label("Do you monitor CT doses or send them to a dose registry?").select_option(
                label=YES_NO[dose_registry]
            )
        page.get_by_label("Are emergency equipment and contrast reaction training in place?").select_option(
            label=YES_NO[emergency_training]
        )

    def save_section(self) -> None:
        self.page.get_by_role("button", name="Save section").click()
        expect(
            self.page.get_by_text(re.compile(r" saved\.$|^The section is saved but not complete"))
        ).to_be_visible()

    def save_and_continue(self) -> None:
        self.page.get_by_role("button", name="Save and continue").click()

    def error_for(self, label: str):
        """The error text under the question labelled ``label``."""
        field_id = self.page.get_by_label(label, exact=True).get_attribute("id")
        return self.page.locator(f"[id='{field_id}-error']")

    @property
    def problem(self):
        return self.page.get_by_role("alert").first

    def submit(self) -> FacilityScoresPage:
        """Submit the registration; the browser goes to its scorecard."""
        self.page.get_by_role("button", name="Submit registration").click()
        return FacilityScoresPage(self.page).wait()


class FacilityScoresPage:
    def __init__(self, page: Page):
        self.page = page

    def open(self, registration: int | None = None) -> FacilityScoresPage:
        self.page.goto("/facility/scores" + (f"?registration={registration}" if registration else ""))
        return self.wait()

    def wait(self) -> FacilityScoresPage:
        expect(self.page.get_by_role("heading", name="Facility scores", level=1)).to_be_visible()
        return self

    def heading_of(self, modality: str):
        name = MODALITY_NAMES.get(modality, modality)
        return self.page.get_by_role("heading", name=re.compile(f"^{re.escape(name)}: \\d+ of 100$"), level=2)

    def score_of(self, modality: str) -> int:
        heading = self.heading_of(modality)
        expect(heading).to_be_visible()
        return int(re.search(r": (\d+) of 100", heading.inner_text()).group(1))

    def section_of(self, modality: str):
        return self.page.get_by_role("region", name=re.compile(f"^{re.escape(MODALITY_NAMES[modality])}: "))

    def ways_to_raise(self, modality: str) -> list[str]:
        return self.section_of(modality).get_by_role("listitem").all_inner_texts()


class AdminFacilitiesPage:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> AdminFacilitiesPage:
        self.page.goto("/admin/facilities")
        expect(self.page.get_by_role("heading", name="Facility registrations", level=1)).to_be_visible()
        return self

    def filter_status(self, label: str) -> None:
        self.page.get_by_label("Status", exact=True).select_option(label=label)

    def show(self, number: int) -> None:
        self.page.get_by_role("button", name=f"Show registration {number}").click()
        expect(
            self.page.get_by_role("heading", name=re.compile(f"^Registration {number}: "), level=2)
        ).to_be_visible()

    def ask_for_corrections(self, note: str) -> None:
        self.page.get_by_label("What should the facility correct?").fill(note)
        self.page.get_by_role("button", name="Ask for corrections").click()
        expect(self.page.get_by_role("status").filter(has_text="Corrections requested")).to_be_visible()
