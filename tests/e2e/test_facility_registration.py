"""An imaging group registers its Fairview centre for CT and MRI, sees the scores, support asks for a
correction, and an office ordering a lumbar MRI at a hospital sees the centre with its MRI score among
the site-of-care alternatives and in the provider look-up."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS, IMAGING_GROUP_TAX_ID, demo_npi
from tests.e2e.axe import assert_accessible
from tests.e2e.pages.facility import AdminFacilitiesPage, FacilityRegistrationPage, FacilityScoresPage
from tests.e2e.pages.order_wizard import OrderWizard
from tests.e2e.pages.portal import sign_in_reusing_session, sign_out
from tests.e2e.pages.programs import ImagingStep

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
TODAY = date.today()
FAIRVIEW_CENTRE = "Fairview Free-standing Imaging Center 5 (demo)"  # demo facility 4, unregistered at start
FAIRVIEW_NPI = demo_npi(4, kind="facility")
FAIRVIEW_MEMBER = "EVG100000000"  # Evergreen, home ZIP 97024 (Fairview, Oregon)


def _sign_in(page: Page, username: str) -> None:
    account = ACCOUNTS[username]
    sign_in_reusing_session(page, account.email, account.password, name=account.full_name)


def _register_fairview(page: Page) -> tuple[int, int]:
    """(CT score, MRI score) after registering the centre for CT and MRI."""
    form = FacilityRegistrationPage(page).open()
    form.start_registration()
    # A wrong NPI: the error shows under the field, focus goes there, nothing typed is lost.
    form.fill_facility(
        npi="1234567890",
        name=FAIRVIEW_CENTRE,
        address_line="200 Demo Way",
        city="Fairview",
        state="OR",
        postal_code="97024",
        phone="503-555-0140",
        fax="503-555-0141",
        tax_id=IMAGING_GROUP_TAX_ID,
    )
    form.save_section()
    expect(form.error_for("Facility NPI")).to_contain_text("check digit")
    expect(page.get_by_label("Facility NPI")).to_be_focused()
    expect(page.get_by_label("City")).to_have_value("Fairview")
    assert_accessible(page, "facility section with an error")
    page.get_by_label("Facility NPI").fill(FAIRVIEW_NPI)
    form.save_and_continue()
    expect(page.get_by_role("heading", name="Modalities offered", level=2)).to_be_visible()
    form.choose_modalities("ct", "mri")
    form.save_section()
    recent, renewal = (TODAY - timedelta(days=30)).isoformat(), (TODAY + timedelta(days=700)).isoformat()
    form.add_modality(
        "ct",
        year_installed=TODAY.year - 1,
        slices=128,
        accreditation="ACR",
        accreditation_expires=renewal,
        physics_survey_on=recent,
    )
    form.add_modality(
        "mri",
        year_installed=TODAY.year - 1,
        field_strength="1.5",
        physicians_board_certified=False,
        accreditation="IAC",
        accreditation_expires=renewal,
        physics_survey_on=recent,
    )
    form.fill_quality()
    form.save_section()
    scores = form.submit()
    ct, mri = scores.score_of("ct"), scores.score_of("mri")
    # The MRI readers lack board certification: the scorecard says how to raise the MRI score.
    assert mri < ct
    assert any("board" in line.lower() for line in scores.ways_to_raise("mri"))
    assert_accessible(page, "scorecard")
    return ct, mri


def test_a_registered_centre_appears_with_its_scores_in_the_site_of_care_alternatives(page: Page):
    _sign_in(page, "facility")
    ct, mri = _register_fairview(page)
    sign_out(page)

    _sign_in(page, "support")
    admin = AdminFacilitiesPage(page).open()
    row = (
        page.get_by_role("region", name="Facility registrations")
        .get_by_role("row")
        .filter(has_text=FAIRVIEW_CENTRE)
    )
    number = int(row.get_by_role("cell").first.inner_text())
    admin.show(number)
    admin.ask_for_corrections("Please add the IAC certificate number for the MRI.")
    sign_out(page)

    _sign_in(page, "facility")
    form = FacilityRegistrationPage(page).open()
    expect(form.registrations).to_contain_text("Corrections requested")
    assert FacilityScoresPage(page).open(number).score_of("mri") == mri  # published scores stay meanwhile
    sign_out(page)

    _sign_in(page, "ordering")
    wizard = OrderWizard(page)
    wizard.start(
        FAIRVIEW_MEMBER,
        TODAY + timedelta(days=14),
        plan="Evergreen Mutual Health (demo)",
        program="Radiology and cardiology imaging",
        servicing_query="Fairview General Hospital",
    )
    ImagingStep(page).lumbar_mri(weeks_of_care=8)
    alternatives = page.get_by_role("list", name="Other sites of care")
    centre = alternatives.get_by_role("listitem").filter(has_text=FAIRVIEW_CENTRE)
    expect(centre).to_contain_text(f"MRI {mri} of 100")
    expect(centre).to_contain_text("Under 1 mile")
    assert_accessible(page, "imaging step with site-of-care alternatives")

    page.goto("/providers")
    page.get_by_label("Name, NPI, specialty, city or ZIP").fill("Fairview")
    page.get_by_label("Near ZIP code").fill("97024")
    page.get_by_label("Sort by").select_option(label="Imaging score, then distance")
    page.get_by_role("button", name="Search").click()
    first = page.get_by_role("table", name="Providers and facilities").get_by_role("row").nth(1)
    expect(first).to_contain_text(FAIRVIEW_CENTRE)
    expect(first).to_contain_text(f"CT {ct} of 100 · MRI {mri} of 100")
    expect(page.get_by_role("table", name="Providers and facilities")).to_contain_text(
        "Not registered (no score)"
    )
