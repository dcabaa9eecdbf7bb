"""Medical oncology and the radiation therapy code look-up through the browser: a HER2-positive
metastatic breast request sees THP-type regimens before any dosing, doses one and is authorized for
cycles 1-6; a lung request with PD-L1 of 50 % or more is offered pembrolizumab alone; filgrastim
with a non-cancer primary diagnosis stops the wizard with the message; the CPT look-up sorts by
category and changes with the plan and the year."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from portal_app.services.demo_data import DEMO_ACCOUNTS
from tests.e2e.pages.order_wizard import OrderWizard
from tests.e2e.pages.portal import navigate, sign_in_reusing_session

ORDERING = next(a for a in DEMO_ACCOUNTS if a.username == "ordering")
SUMMIT = "Summit Federal Employee Plan (demo)"  # delegates medical and radiation oncology
LAKESHORE = "Lakeshore Community Care (demo)"
MEDICAL_ONCOLOGY = "Medical oncology"
SERVICE = date.today() + timedelta(days=14)
THP = "THP: docetaxel, trastuzumab and pertuzumab"
# Summit members are SUM1000000xx with xx = 2 mod 4: adult women whose eligibility has not ended;
# each test uses its own member so that no request looks like a duplicate of another.
BREAST_MEMBER, LUNG_MEMBER, FILGRASTIM_MEMBER = "SUM100000010", "SUM100000014", "SUM100000018"


def _signed_in(page: Page) -> OrderWizard:
    sign_in_reusing_session(page, ORDERING.email, ORDERING.password, name=ORDERING.full_name)
    return OrderWizard(page)


def _line(page: Page, code: str):
    return page.get_by_role("group", name=f"Requested {code}")


def _describe_cancer(
    page: Page, *, primary: str, cancer: str, setting: str, biomarkers: dict[str, str]
) -> None:
    page.get_by_label(re.compile("^Primary diagnosis")).fill(primary)
    expect(page.get_by_text(re.compile(f"^{re.escape(primary)}: "))).to_be_visible()
    page.get_by_label("Cancer type").select_option(label=cancer)
    page.get_by_label("Stage or setting").select_option(label=setting)
    page.get_by_label("Goal of treatment").select_option(value="palliative")
    for question, answer in biomarkers.items():
        page.get_by_label(question, exact=True).select_option(value=answer)


def test_her2_positive_metastatic_breast_sees_thp_before_dosing_and_is_authorized_for_cycles_1_to_6(
    page: Page,
):
    wizard = _signed_in(page)
    wizard.start(BREAST_MEMBER, SERVICE, plan=SUMMIT, program=MEDICAL_ONCOLOGY)
    _describe_cancer(
        page,
        primary="C50.911",
        cancer="Breast cancer",
        setting="Advanced or metastatic",
        biomarkers={"HER2 status": "positive", "Estrogen and progesterone receptors (ER/PR)": "negative"},
    )
    # Only the breast questions are asked.
    expect(page.get_by_label("PD-L1 tumor proportion score (TPS)")).to_have_count(0)

    # The pathway regimens come right after the biomarkers, before any dosing screen.
    thp = page.get_by_role("group", name=f"Regimen {THP}")
    expect(thp).to_be_visible()
    for text in (
        "Docetaxel: 75 mg/m²",
        "Trastuzumab: 8 mg/kg in cycle 1, then 6 mg/kg",
        "Pertuzumab",
        "21-day cycles",
        "CLEOPATRA",
    ):
        expect(thp).to_contain_text(text)
    expect(page.get_by_label("Height (cm)")).to_have_count(0)
    expect(page.get_by_role("group", name=re.compile("^Dose of "))).to_have_count(0)

    thp.get_by_role("button", name=f"Choose {THP}").click()
    page.get_by_label("Height (cm)").fill("165")
    page.get_by_label("Weight (kg)").fill("70")
    page.get_by_label("To cycle").fill("6")
    expect(page.get_by_text("Body surface area: 1.79 m² (Mosteller)")).to_be_visible()

    docetaxel = page.get_by_role("group", name="Dose of Docetaxel")
    expect(docetaxel).to_contain_text("Calculated dose: 134 mg")
    expect(page.get_by_label("Docetaxel: dose to give (mg)")).to_have_value("134")
    expect(docetaxel).to_contain_text("6 doses; 804 billing units of J9171")
    cycle_days = [SERVICE + timedelta(days=21 * n) for n in range(6)]
    expect(docetaxel).to_contain_text("Administration dates: " + ", ".join(d.isoformat() for d in cycle_days))
    trastuzumab = page.get_by_role("group", name="Dose of Trastuzumab")
    expect(trastuzumab).to_contain_text("Calculated cycle 1 dose: 560 mg")
    expect(trastuzumab).to_contain_text("266 billing units of J9355")

    wizard.finish("C50.911")
    expect(page).to_have_url(re.compile(r"/orders/PC\d{4}[0-9A-Z]{9}$"))
    last_day = SERVICE + timedelta(days=6 * 21 - 1)  # the last day of cycle 6
    for code in ("J9171", "J9355", "J9306"):
        expect(_line(page, code)).to_contain_text("Decision: Authorized")
        expect(_line(page, code)).to_contain_text(f"{SERVICE.isoformat()} to {last_day.isoformat()}")
    expect(page.get_by_role("main")).to_contain_text("Cycles 1 to 6 of 21 days")


def test_lung_cancer_with_pd_l1_of_50_percent_or_more_is_offered_pembrolizumab_alone(page: Page):
    wizard = _signed_in(page)
    wizard.start(LUNG_MEMBER, SERVICE, plan=SUMMIT, program=MEDICAL_ONCOLOGY)
    _describe_cancer(
        page,
        primary="C34.11",
        cancer="Non-small-cell lung cancer",
        setting="Advanced or metastatic",
        biomarkers={
            "Tumor type under the microscope (histology)": "non_squamous",
            "EGFR mutation": "negative",
            "ALK rearrangement": "negative",
            "ROS1 rearrangement": "negative",
            "PD-L1 tumor proportion score (TPS)": "50_or_more",
        },
    )
    expect(page.get_by_label("HER2 status")).to_have_count(0)
    regimens = page.get_by_role("group", name=re.compile("^Regimen "))
    expect(regimens.first).to_have_accessible_name("Regimen Pembrolizumab alone")
    drugs = regimens.first.get_by_role("list", name="Drugs of Pembrolizumab alone").get_by_role("listitem")
    expect(drugs).to_have_count(1)
    expect(drugs).to_contain_text("Pembrolizumab")

    # Below 50 % pembrolizumab alone is not on the pathway.
    page.get_by_label("PD-L1 tumor proportion score (TPS)", exact=True).select_option(value="1_to_49")
    expect(page.get_by_role("group", name="Regimen Pembrolizumab alone")).to_have_count(0)
    expect(regimens.first).to_have_accessible_name("Regimen Carboplatin, pemetrexed and pembrolizumab")


def test_filgrastim_with_a_non_cancer_primary_diagnosis_stops_with_the_message(page: Page):
    wizard = _signed_in(page)
    wizard.start(FILGRASTIM_MEMBER, SERVICE, plan=SUMMIT, program=MEDICAL_ONCOLOGY)
    wizard.check("Filgrastim (J1442)")
    page.get_by_label(re.compile("^Primary diagnosis")).fill("D70.1")
    stop = page.get_by_role("alert").filter(has_text="This program does not review Filgrastim")
    expect(stop).to_contain_text("primary diagnosis D70.1")
    expect(stop).to_contain_text("ask the member's health plan")
    expect(page.get_by_label("Cancer type")).to_have_count(0)
    # The wizard does not go on: nothing is saved or submitted.
    wizard.next()
    expect(wizard.step_heading()).to_contain_text("Request details")

    # With the cancer as the primary diagnosis the questions come back.
    page.get_by_label(re.compile("^Primary diagnosis")).fill("C50.911")
    expect(page.get_by_label("Cancer type")).to_be_visible()
    expect(page.get_by_label(re.compile("^Secondary diagnosis"))).to_be_visible()


def test_the_cpt_look_up_sorts_by_category_and_follows_the_plan_and_the_year(page: Page):
    _signed_in(page)
    navigate(page, "Radiation therapy codes")
    expect(page.get_by_role("heading", name="Radiation therapy code look-up")).to_be_visible()
    page.get_by_label("Health plan").select_option(label=SUMMIT)
    page.get_by_label("Year").select_option("2026")
    count = page.get_by_role("status").filter(has_text="codes managed for")
    expect(count).to_have_text(f"52 codes managed for {SUMMIT} in 2026.")

    table = page.get_by_role("table", name="Managed radiation therapy codes")
    category = table.get_by_role("columnheader").nth(2)
    expect(category).to_have_attribute("aria-sort", "none")
    table.get_by_role("button", name="Sort by category").click()
    expect(category).to_have_attribute("aria-sort", "ascending")
    expect(table.get_by_role("row").nth(1)).to_contain_text("3D conformal")
    table.get_by_role("button", name="Sort by category").click()
    expect(category).to_have_attribute("aria-sort", "descending")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Treatment management")

    # 77385 (IMRT delivery) was deleted for 2026: not managed then, managed in 2025.
    page.get_by_label("Is a code on the list? Type the code").fill("77385")
    expect(
        page.get_by_text(re.compile("^Code 77385 is not on the radiation oncology code list"))
    ).to_be_visible()
    page.get_by_label("Year").select_option("2025")
    expect(count).to_have_text(f"55 codes managed for {SUMMIT} in 2025.")
    expect(page.get_by_text(re.compile("^Code 77385 is managed"))).to_be_visible()

    page.get_by_label("Health plan").select_option(label=LAKESHORE)
    expect(count).to_have_text(f"30 codes managed for {LAKESHORE} in 2025.")
    page.get_by_label("Filter by code, description or category").fill("brachytherapy, HDR")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Brachytherapy, HDR")
