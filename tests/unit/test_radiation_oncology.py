"""The radiation oncology program: code look-up by plan and year, modality requests, criteria.

Expected values and their sources:
* look-up behaviour: program FAQ, shared/seeds/000 ("Viewing radiation therapy CPT codes": choose
  plan and year, sort by code, description or category; a code absent from the list is not
  managed and the provider should contact the health plan);
* 2025 vs 2026: ASTRO News winter 2026, "Major Radiation Oncology Code Changes in 2026" (77385
  and 77386 deleted, Medicare delivery G-codes deleted, delivery consolidated into 77402, 77407
  and 77412);
* proton indications: ASTRO Proton Beam Therapy Model Policy, Group 1, with CMS LCD L33937
  (pediatric solid tumors, age 18 or less);
* stereotactic courses: CPT 77373 (SBRT, at most 5 fractions), 77371/77372 (SRS, cranial).
"""

from datetime import date

import pytest

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS, ProgramRequest
from portal_app.domain.rules import Outcome, evaluate
from portal_app.programs.radiation_oncology import domain as rad


def codes(rows):
    return [row.code for row in rows]


# --- the code list per plan and year ----------------------------------------------------------


def test_every_row_has_a_source_and_a_known_category():
    frame = reference._cached_table("radiation_codes.csv")
    assert (frame["source"].str.strip() != "").all()
    assert set(frame["category"]) <= set(rad.CATEGORY_LABELS)
    assert set(frame["plan_code"]) >= {"EVG", "LKS", "RVB"}
    assert {2025, 2026} <= set(frame["year"].astype(int))


def test_plans_and_years_for_the_pickers():
    assert {"EVG", "LKS", "RVB"} <= set(rad.lookup_plans())
    assert rad.lookup_years("EVG") == [2025, 2026]
    assert rad.lookup_years("NOPE") == []


def test_2026_list_differs_from_2025():
    in_2025 = set(codes(rad.managed_codes("EVG", 2025)))
    in_2026 = set(codes(rad.managed_codes("EVG", 2026)))
    assert {"77385", "77386", "G6015"} <= in_2025
    assert not {"77385", "77386", "G6015", "G6003", "77014"} & in_2026  # deleted for 2026
    assert {"77402", "77407", "77412", "77387"} <= in_2025 & in_2026
    descriptions = {
        year: {item.code: item.label for item in rad.managed_codes("EVG", year)} for year in (2025, 2026)
    }
    assert descriptions[2025]["77407"] != descriptions[2026]["77407"]  # delivery codes redefined


def test_plans_differ():
    evg, sum_, rvb, lks = (set(codes(rad.managed_codes(plan, 2025))) for plan in ("EVG", "SUM", "RVB", "LKS"))
    assert "G6015" in evg and "G6015" not in sum_  # Medicare G-codes only on Medicare Advantage plans
    assert "77520" in evg and "77520" not in rvb  # RVB reviews proton therapy itself
    assert "77261" in evg and "77261" not in lks  # LKS manages modality-specific codes only
    assert "77301" in lks


def test_absent_code_is_not_managed_and_says_so():
    assert rad.is_managed("EVG", 2026, "77301")
    assert rad.is_managed("evg", 2026, " 77301 ")
    assert not rad.is_managed("EVG", 2026, "77385")  # deleted in 2026
    assert not rad.is_managed("EVG", 2026, "70450")  # an imaging code
    assert not rad.is_managed("NOPE", 2026, "77301")  # no list for the plan
    assert not rad.is_managed("EVG", 2019, "77301")  # no list for the year
    message = rad.not_managed_message("EVG", 2026, "77385")
    assert "77385" in message and "does not manage" in message and "health plan" in message
    assert rad.not_managed_message("EVG", 2026, "77301") is None


# --- the look-up: sorting and filtering -------------------------------------------------------


def test_lookup_sorted_by_code_by_default():
    rows = rad.code_lookup("EVG", 2026)
    assert codes(rows) == sorted(codes(rows))
    assert codes(rad.code_lookup("EVG", 2026, "code", descending=True)) == sorted(codes(rows), reverse=True)


def test_lookup_sorted_by_category_then_code():
    rows = rad.code_lookup("EVG", 2026, sort_by="category")
    categories = [row.category for row in rows]
    assert categories == sorted(categories, key=str.lower)
    for category in set(categories):  # ties keep the code order
        same = [row.code for row in rows if row.category == category]
        assert same == sorted(same)
    descending = rad.code_lookup("EVG", 2026, sort_by="category", descending=True)
    assert [row.category for row in descending] == sorted(categories, key=str.lower, reverse=True)
    assert descending[0].category != rows[0].category


def test_lookup_sorted_by_description():
    rows = rad.code_lookup("SUM", 2026, sort_by="description")
    descriptions = [row.description.lower() for row in rows]
    assert descriptions == sorted(descriptions)


def test_lookup_filter():
    proton = rad.code_lookup("EVG", 2026, filter_text="proton")
    assert codes(proton) == ["77520", "77522", "77523", "77525"]
    assert all(row.category == "Proton beam" for row in proton)
    assert codes(rad.code_lookup("EVG", 2026, filter_text="7752")) == ["77520", "77522", "77523", "77525"]
    assert codes(rad.code_lookup("EVG", 2026, filter_text="  HDR ")) == codes(
        rad.code_lookup("EVG", 2026, filter_text="hdr")
    )
    assert rad.code_lookup("EVG", 2026, filter_text="no such code") == []
    assert len(rad.code_lookup("EVG", 2026, filter_text="")) == len(rad.managed_codes("EVG", 2026))


def test_lookup_changes_with_plan_and_year():
    assert rad.code_lookup("EVG", 2025) != rad.code_lookup("EVG", 2026)
    assert rad.code_lookup("EVG", 2026) != rad.code_lookup("LKS", 2026)
    assert rad.code_lookup("NOPE", 2026) == []


def test_lookup_rows_and_bad_sort_column():
    row = next(row for row in rad.code_lookup("EVG", 2025) if row.code == "G6015")
    assert (row.code_system, row.category_key, row.category) == ("HCPCS", "imrt", "IMRT")
    with pytest.raises(ValueError, match="Sort by one of"):
        rad.code_lookup("EVG", 2026, sort_by="price")


def test_descriptions_are_our_own_short_texts():
    # Guard against pasting AMA descriptors: ours are short and never say "CPT".
    for plan in rad.lookup_plans():
        for year in rad.lookup_years(plan):
            for item in rad.managed_codes(plan, year):
                assert len(item.label) <= 110 and "CPT" not in item.label


def test_codes_for_a_modality():
    proton = codes(rad.codes_for_modality("EVG", 2026, "proton"))
    assert {"77520", "77261", "77387"} <= set(proton) and "77301" not in proton
    imrt_2026 = set(codes(rad.codes_for_modality("EVG", 2026, "imrt")))
    assert {"77301", "77338", "77407"} <= imrt_2026 and "77385" not in imrt_2026
    with pytest.raises(ValueError):
        rad.codes_for_modality("EVG", 2026, "gamma")


# --- request details --------------------------------------------------------------------------


def _details(**changes):
    data = {
        "cancer_type": "prostate",
        "treatment_site": "prostate",
        "modality": "imrt",
        "intent": "curative",
        "fractions": 28,
        "total_dose_gy": 70,
    }
    data.update(changes)
    return data


def test_valid_details_and_proton_question_only_for_proton():
    assert rad.details_errors(_details()) == {}
    details = rad.RadiationOncologyDetails.model_validate(_details(proton_indication="eye_tumor"))
    assert details.proton_indication is None  # not asked for IMRT
    assert rad.details_errors(_details(modality="proton")) == {
        "proton_indication": "Please answer this question."
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"modality": "cobalt"}, "modality"),
        ({"fractions": 0}, "fractions"),
        ({"fractions": 60}, "fractions"),
        ({"total_dose_gy": 0}, "total_dose_gy"),
        ({"total_dose_gy": 700}, "total_dose_gy"),
        ({"fractions": 1, "total_dose_gy": 40}, "total_dose_gy"),  # 40 Gy in one fraction
        ({"treatment_site": ""}, "treatment_site"),
    ],
)
def test_details_errors(changes, field):
    assert field in rad.details_errors(_details(**changes))


# --- criteria by modality and cancer ----------------------------------------------------------


def _criteria(age=60, **changes):
    details = rad.RadiationOncologyDetails.model_validate(_details(**changes))
    return {result.criterion_id: result.met for result in rad.modality_criteria(details, age)}


@pytest.mark.parametrize(
    "indication", ["eye_tumor", "skull_base_tumor", "cns_tumor", "retroperitoneal_sarcoma"]
)
def test_proton_for_listed_indications(indication):
    assert _criteria(modality="proton", proton_indication=indication) == {"ro_proton_indication": True}


def test_proton_not_met_for_unlisted_indication():
    # Adult prostate cancer is not a Group 1 indication: a reviewer decides.
    assert _criteria(modality="proton", proton_indication="none") == {"ro_proton_indication": False}


def test_proton_for_a_child_treated_for_cure():
    child = _criteria(
        age=9, modality="proton", proton_indication="none", cancer_type="sarcoma", treatment_site="pelvis"
    )
    assert child == {"ro_proton_indication": True}
    palliative = _criteria(age=9, modality="proton", proton_indication="none", intent="palliative")
    assert palliative == {"ro_proton_indication": False}
    assert _criteria(age=19, modality="proton", proton_indication="none") == {"ro_proton_indication": False}


def test_stereotactic_fractions_and_sites():
    assert _criteria(modality="sbrt", fractions=5, total_dose_gy=36.25) == {
        "ro_sbrt_fractions": True,
        "ro_sbrt_site": True,
    }
    assert (
        _criteria(modality="sbrt", fractions=8, total_dose_gy=60, cancer_type="lung", treatment_site="chest")[
            "ro_sbrt_fractions"
        ]
        is False
    )
    assert (
        _criteria(modality="sbrt", fractions=1, total_dose_gy=20, treatment_site="brain")["ro_sbrt_site"]
        is False
    )
    srs = _criteria(
        modality="srs", fractions=1, total_dose_gy=20, cancer_type="brain_metastases", treatment_site="brain"
    )
    assert srs == {"ro_srs_fractions": True, "ro_srs_site": True}
    assert (
        _criteria(modality="srs", fractions=1, total_dose_gy=20, treatment_site="chest")["ro_srs_site"]
        is False
    )


def test_imrt_and_palliative_bone_criteria():
    assert _criteria() == {"ro_imrt_cancer_type": True}
    assert _criteria(cancer_type="breast", treatment_site="breast", fractions=15, total_dose_gy=40.05) == {
        "ro_imrt_cancer_type": False
    }
    bone = {
        "cancer_type": "bone_metastases",
        "treatment_site": "bone",
        "intent": "palliative",
        "modality": "three_d_conformal",
    }
    assert _criteria(**bone, fractions=10, total_dose_gy=30) == {"ro_palliative_bone_fractions": True}
    assert _criteria(**bone, fractions=20, total_dose_gy=40) == {"ro_palliative_bone_fractions": False}
    assert (
        _criteria(modality="brachytherapy_ldr", fractions=1, total_dose_gy=25) == {}
    )  # no automatic criteria


# --- program definition and the rules engine --------------------------------------------------


def _request(details, codes_, plan="EVG", year=2026, age=60):
    return ProgramRequest(
        plan_code=plan,
        service_date=date(year, 3, 2),
        member_age=age,
        codes=codes_,
        details=rad.RadiationOncologyDetails.model_validate(details),
    )


def test_program_definition_is_registered():
    assert rad.PROGRAM.code is Program.RADIATION_ONCOLOGY
    assert PROGRAMS[Program.RADIATION_ONCOLOGY] is rad.PROGRAM
    assert rad.PROGRAM.managed_codes("EVG", 2026) == rad.managed_codes("EVG", 2026)
    assert rad.PROGRAM.validity_days("EVG") == 90


def test_engine_outcomes():
    imrt = _request(_details(), ("77301", "77407", "77385"))
    outcomes = {line.code: line.outcome for line in evaluate(rad.PROGRAM, imrt).lines}
    assert outcomes == {
        "77301": Outcome.AUTHORIZED,
        "77407": Outcome.AUTHORIZED,
        "77385": Outcome.NOT_MANAGED,
    }
    # A proton code under an IMRT request does not fit the modality: a reviewer looks.
    wrong_code = _request(_details(), ("77520",))
    assert evaluate(rad.PROGRAM, wrong_code).lines[0].outcome is Outcome.PENDED
    proton = _request(_details(modality="proton", proton_indication="none"), ("77520",))
    assert evaluate(rad.PROGRAM, proton).lines[0].outcome is Outcome.PENDED
    eye = _request(
        _details(
            modality="proton",
            proton_indication="eye_tumor",
            cancer_type="eye",
            treatment_site="eye",
            fractions=5,
            total_dose_gy=60,
        ),
        ("77520",),
    )
    assert evaluate(rad.PROGRAM, eye).lines[0].outcome is Outcome.AUTHORIZED
