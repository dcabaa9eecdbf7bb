"""The sleep program: supply limits, home vs lab, PAP coverage, recalls, device files, matching.

Rules and their sources:
* supply limits: Medicare usual maximum quantities (DME MAC LCD L33718) per clinical-reference
  §3.7, confirmed by the CMS schedule reproduced on northfieldhospital.org, e.g. nasal mask
  cushion A7032 2 per month, full face mask A7030 1 per 3 months, headgear A7035 1 per 6 months;
  Regence policy 127: 10-day grace period (plan SUM in sleep_plans.csv);
* home sleep test vs in-lab study: AASM 2017 (Kapur et al., JCSM 2017;13(3):479),
  clinical-reference §3.5;
* PAP coverage: CMS NCD 240.4 / LCD L33718, clinical-reference §3.2; AHI severity bands:
  AASM 1999 (clinical-reference §3.1);
* recall: Philips Respironics voluntary recall of 14 June 2021 (program tips, shared/seeds/000)
  with the FDA list of models;
* device files and member matching: the PAP compliance tips (shared/seeds/000) and PHI
  protection (shared/seeds/004): ID, name and date of birth must all agree.
"""

import json
from datetime import date, timedelta

import pytest

from portal_app import reference
from portal_app.domain.enums import Program
from portal_app.domain.pap_compliance import (
    DeviceExportError,
    ExportIdentity,
    evaluate,
    match_member,
    parse_device_export,
)
from portal_app.domain.programs import PROGRAMS, ProgramRequest
from portal_app.domain.rules import Outcome
from portal_app.domain.rules import evaluate as decide
from portal_app.programs.sleep.domain import (
    LAB_CONDITIONS,
    PAP_FINDINGS,
    PROGRAM,
    Dispense,
    SleepDetails,
    add_months,
    details_errors,
    in_lab_reasons,
    meets_pap_coverage,
    pap_coverage_problem,
    recall_notice,
    severity,
    study_setting_problem,
    supply_limit_problem,
    supply_limits,
)

REQUEST_DAY = date(2026, 5, 4)

# --- Supply limits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, maximum, months",
    [
        ("A7030", 1, 3),
        ("A7031", 1, 1),
        ("A7034", 1, 3),
        ("A7032", 2, 1),
        ("A7033", 2, 1),
        ("A7027", 1, 3),
        ("A7028", 2, 1),
        ("A7029", 2, 1),
        ("A7035", 1, 6),
        ("A7036", 1, 6),
        ("A7037", 1, 3),
        ("A4604", 1, 3),
        ("A7038", 2, 1),
        ("A7039", 1, 6),
        ("A7046", 1, 6),
        ("A7044", 1, 3),
    ],
)
def test_replacement_schedule(code, maximum, months):
    limit = supply_limits()[code]
    assert (limit.max_quantity, limit.period_months) == (maximum, months)
    assert limit.source


def test_within_the_limit():
    assert supply_limit_problem("A7032", 2, REQUEST_DAY, []) is None
    assert supply_limit_problem("A7032", 1, REQUEST_DAY, [Dispense("A7032", date(2026, 4, 20))]) is None


def test_over_the_limit_names_the_item_and_the_next_date():
    problem = supply_limit_problem("A7032", 1, REQUEST_DAY, [Dispense("A7032", date(2026, 4, 20), 2)])
    assert problem is not None
    assert "Nasal mask cushion (A7032)" in problem
    assert "at most 2 per month" in problem
    assert "05/20/2026" in problem


def test_next_date_when_several_dispenses_must_drop_out():
    history = [Dispense("A7038", date(2026, 4, 10)), Dispense("A7038", date(2026, 4, 25))]
    problem = supply_limit_problem("A7038", 2, REQUEST_DAY, history)
    assert "05/25/2026" in problem  # both earlier filters must have dropped out


def test_a_dispense_stops_counting_on_the_same_day_a_period_later():
    history = [Dispense("A7030", date(2026, 2, 4))]
    assert supply_limit_problem("A7030", 1, date(2026, 5, 3), history)
    assert supply_limit_problem("A7030", 1, date(2026, 5, 4), history) is None


def test_month_end_dispenses():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    problem = supply_limit_problem("A7031", 1, date(2026, 2, 27), [Dispense("A7031", date(2026, 1, 31))])
    assert "02/28/2026" in problem


def test_grace_days_let_a_refill_ship_early():
    history = [Dispense("A7037", date(2026, 2, 10))]
    assert supply_limit_problem("A7037", 1, date(2026, 5, 1), history)
    assert supply_limit_problem("A7037", 1, date(2026, 5, 1), history, grace_days=10) is None


def test_other_items_and_later_dispenses_do_not_count():
    history = [Dispense("A7031", REQUEST_DAY), Dispense("A7030", REQUEST_DAY + timedelta(days=1))]
    assert supply_limit_problem("A7030", 1, REQUEST_DAY, history) is None


def test_asking_for_more_than_the_limit_at_once():
    problem = supply_limit_problem("A7035", 2, REQUEST_DAY, [])
    assert "Headgear (A7035)" in problem and "no more than 1" in problem


def test_supply_input_checks():
    with pytest.raises(ValueError, match="not a PAP supply"):
        supply_limit_problem("E0601", 1, REQUEST_DAY, [])
    with pytest.raises(ValueError, match="quantity"):
        supply_limit_problem("A7030", 0, REQUEST_DAY, [])


# --- Home sleep test or lab -----------------------------------------------------------------


@pytest.mark.parametrize("condition", LAB_CONDITIONS)
def test_each_condition_sends_the_member_to_the_lab(condition):
    assert in_lab_reasons([condition], "none", 45)
    problem = study_setting_problem("home_sleep_test", [condition], "none", 45)
    assert problem and "in-lab" in problem


@pytest.mark.parametrize("result", ["negative", "inconclusive", "technically_inadequate"])
def test_a_failed_home_test_sends_the_member_to_the_lab(result):
    assert in_lab_reasons([], result, 45)


def test_uncomplicated_adult_suits_a_home_test():
    assert in_lab_reasons([], "none", 45) == []
    assert in_lab_reasons([], "positive", 45) == []
    assert study_setting_problem("home_sleep_test", [], "none", 45) is None


def test_children_go_to_the_lab():
    assert in_lab_reasons([], "none", 12) == ["The member is under 18"]


def test_in_lab_study_without_a_reason_asks_for_one():
    assert "home sleep test suits" in study_setting_problem("in_lab_psg", [], "none", 45)
    reason = "Lives alone, cannot apply the sensors"
    assert study_setting_problem("in_lab_psg", [], "none", 45, lab_reason=reason) is None
    assert study_setting_problem("in_lab_psg", ["chronic_opioids"], "none", 45) is None


# --- PAP coverage ---------------------------------------------------------------------------


def test_ahi_of_15_or_more_qualifies_on_its_own():
    assert pap_coverage_problem(15, []) is None
    assert pap_coverage_problem(42.5, [], index_kind="RDI") is None


@pytest.mark.parametrize("finding", PAP_FINDINGS)
def test_ahi_5_to_14_qualifies_with_a_documented_finding(finding):
    assert meets_pap_coverage(5, [finding])
    assert meets_pap_coverage(14.9, [finding])


def test_ahi_5_to_14_without_a_finding_does_not_qualify():
    problem = pap_coverage_problem(14.9, [])
    assert problem and "only with a documented symptom" in problem


def test_ahi_under_5_never_qualifies():
    problem = pap_coverage_problem(4.9, ["hypertension"])
    assert problem and "below 5" in problem


def test_short_recordings_need_the_events_of_two_hours():
    assert pap_coverage_problem(16, [], recording_hours=1.5, event_count=30) is None
    assert "at least 30" in pap_coverage_problem(16, [], recording_hours=1.5, event_count=29)
    assert "at least 10" in pap_coverage_problem(6, ["insomnia"], recording_hours=1.5, event_count=9)
    assert "enter the number of events" in pap_coverage_problem(16, [], recording_hours=1.5)
    assert pap_coverage_problem(16, [], recording_hours=2, event_count=3) is None


def test_missing_index():
    assert "Enter the AHI" in pap_coverage_problem(None, [])


def test_severity_bands():
    assert [severity(value) for value in (0, 4.9, 5, 14.9, 15, 29.9, 30)] == [
        "none",
        "none",
        "mild",
        "mild",
        "moderate",
        "moderate",
        "severe",
    ]


# --- Recall notices -------------------------------------------------------------------------


def test_recall_notice_for_recalled_models():
    notice = recall_notice("DreamStation")
    assert notice and "14 June 2021" in notice and "philips.com" in notice
    assert recall_notice("philips dreamstation") == notice
    assert recall_notice("  Philips Respironics  DreamStation Go ") is not None
    assert recall_notice("System One") is not None


def test_no_recall_notice_for_other_models():
    assert recall_notice("DreamStation 2") is None
    assert recall_notice("AirSense 11") is None
    assert recall_notice("") is None


# --- Device files ---------------------------------------------------------------------------

CSV_EXPORT = (
    "member_id,member_name,date_of_birth,date,usage_minutes,ahi,leak\n"
    "EVG100000001,Ada Lovelace,1960-12-10,2026-01-11,300,2.1,12.5\n"
    "EVG100000001,Ada Lovelace,1960-12-10,2026-01-10,245,,\n"
    "EVG100000001,Ada Lovelace,1960-12-10,2026-01-12,0,0,0\n"
)


def test_csv_export():
    export = parse_device_export(CSV_EXPORT.encode(), "resmed-export.CSV")
    assert export.identity == ExportIdentity("EVG100000001", "Ada Lovelace", date(1960, 12, 10))
    assert [night.night.day for night in export.nights] == [10, 11, 12]
    assert export.nights[1].ahi == 2.1 and export.nights[1].leak == 12.5
    assert export.nights[0].ahi is None
    assert export.usage_by_night() == {date(2026, 1, 10): 245, date(2026, 1, 11): 300, date(2026, 1, 12): 0}
    assert export.source_format == "csv"


def test_csv_header_aliases_and_byte_order_mark():
    content = (
        "\ufeffPatient ID,Name,DOB,Night,Usage,AHI,Leak,Serial Number,Model\n"
        "EVG1,Ada Lovelace,1960-12-10,2026-01-10,300,1,2,SN123,AirSense 10\n"
    ).encode("utf-8")
    export = parse_device_export(content, "export.csv")
    assert export.usage_by_night() == {date(2026, 1, 10): 300}
    assert (export.device_serial, export.device_model) == ("SN123", "AirSense 10")


def test_csv_bad_rows_are_listed_by_line():
    content = (
        b"member_id,member_name,date_of_birth,date,usage_minutes\n"
        b"EVG1,Ada Lovelace,1960-12-10,2026-01-10,300\n"
        b"EVG1,Ada Lovelace,1960-12-10,2026-01-11,abc\n"
        b"EVG1,Ada Lovelace,1960-12-10,2026-13-01,300\n"
        b"EVG1,Ada Lovelace,1960-12-10,2026-01-10,120\n"
    )
    with pytest.raises(DeviceExportError) as raised:
        parse_device_export(content, "export.csv")
    problems = raised.value.problems
    assert problems[0].startswith("Line 3: usage minutes 'abc'")
    assert problems[1].startswith("Line 4: the date '2026-13-01'")
    assert problems[2].startswith("Line 5: the night of 2026-01-10 is already on line 2")
    assert isinstance(raised.value, ValueError)


def test_csv_missing_columns():
    message = "Line 1: the header has no column for date of birth, usage minutes"
    with pytest.raises(DeviceExportError, match=message):
        parse_device_export(b"member_id,member_name,date\nEVG1,Ada,2026-01-10\n", "export.csv")


def test_csv_with_two_members_is_refused():
    content = CSV_EXPORT + "EVG100000002,Alan Turing,1912-06-23,2026-01-13,300,,\n"
    with pytest.raises(DeviceExportError, match="Line 5: the member details differ"):
        parse_device_export(content.encode(), "export.csv")


def test_json_export():
    document = {
        "member": {"member_id": "EVG1", "name": "Ada Lovelace", "date_of_birth": "1960-12-10"},
        "device": {"serial": "SN9", "model": "DreamStation"},
        "nights": [
            {"date": "2026-01-10", "usage_minutes": 300, "ahi": 1.5, "leak": 20},
            {"date": "2026-01-11", "usage_minutes": 0},
        ],
    }
    export = parse_device_export(json.dumps(document).encode(), "cloud.json")
    assert export.usage_by_night() == {date(2026, 1, 10): 300, date(2026, 1, 11): 0}
    assert export.device_model == "DreamStation" and recall_notice(export.device_model)
    assert export.source_format == "json"


def test_json_bad_nights_are_listed_by_number():
    document = {
        "member": {"member_id": "EVG1", "name": "Ada Lovelace", "date_of_birth": "1960-12-10"},
        "nights": [
            {"date": "2026-01-10", "usage_minutes": 300},
            {"date": "2026-01-11", "usage_minutes": -5},
            "x",
        ],
    }
    with pytest.raises(DeviceExportError) as raised:
        parse_device_export(json.dumps(document).encode(), "cloud.json")
    assert raised.value.problems[0].startswith("Night 2: usage minutes '-5'")
    assert raised.value.problems[1].startswith("Night 3:")


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b"", "export.csv", "empty"),
        (b"a,b\n", "export.xlsx", ".csv or .json"),
        (b"\xff\xfe\x00", "export.csv", "UTF-8"),
        (b"{not json", "export.json", "not valid"),
        (
            b'{"member": {"member_id": "", "name": "Ada", "date_of_birth": "1960-12-10"}, "nights": []}',
            "export.json",
            "member ID is missing",
        ),
        (b"member_id,member_name,date_of_birth,date,usage_minutes\n", "export.csv", "no nights"),
    ],
)
def test_unreadable_files(content, filename, message):
    with pytest.raises(DeviceExportError, match=message):
        parse_device_export(content, filename)


def test_imported_file_feeds_the_compliance_rule():
    setup = date(2026, 1, 10)
    rows = ["member_id,member_name,date_of_birth,date,usage_minutes"] + [
        f"EVG1,Ada Lovelace,1960-12-10,{setup + timedelta(days=offset)},{300 if offset < 21 else 60}"
        for offset in range(30)
    ]
    export = parse_device_export("\n".join(rows).encode(), "export.csv")
    result = evaluate(export.usage_by_night(), setup)
    assert result.compliant and result.nights_over_4h == 21


# --- Member matching ------------------------------------------------------------------------

IDENTITY = ExportIdentity("EVG-100000001", "Lovelace, Ada", date(1960, 12, 10))


def test_match_when_id_name_and_birth_date_agree():
    match = match_member(IDENTITY, "evg100000001", "ADA LOVELACE", date(1960, 12, 10))
    assert match and match.matched and match.disposition == "attach"
    accented = ExportIdentity("EVG1", "Zoë O'Brien", date(1980, 1, 1))
    assert match_member(accented, "EVG1", "Zoe OBrien", date(1980, 1, 1))


@pytest.mark.parametrize(
    "member_id, name, dob, reason",
    [
        ("EVG100000002", "Ada Lovelace", date(1960, 12, 10), "member ID"),
        ("EVG100000001", "Ada King", date(1960, 12, 10), "name"),
        ("EVG100000001", "Ada B Lovelace", date(1960, 12, 10), "name"),
        ("EVG100000001", "Ada Lovelace", date(1960, 10, 12), "date of birth"),
    ],
)
def test_any_mismatch_holds_the_file_for_support(member_id, name, dob, reason):
    match = match_member(IDENTITY, member_id, name, dob)
    assert not match
    assert match.disposition == "held_for_support"
    assert reason in match.reason and "not attached to any member" in match.reason


# --- Details and the program definition ------------------------------------------------------


def test_details_plain_messages():
    errors = details_errors({"request_kind": "supplies", "supplies": []})
    assert errors["supplies"] == "Choose at least one supply item."
    errors = details_errors({"request_kind": "supplies", "supplies": [{"item": "E0601"}]})
    assert errors["supplies.0.item"] == "Choose the supply item from the list."
    errors = details_errors({"request_kind": "sleep_study"})
    assert errors["study_type"] == "Choose the kind of sleep study from the list."
    errors = details_errors({"request_kind": "pap_device", "device_type": "cpap", "diagnostic_index": 400})
    assert "from 0 to 200" in errors["diagnostic_index"]


def test_program_is_registered():
    assert PROGRAM.code is Program.SLEEP
    assert PROGRAMS[Program.SLEEP] is PROGRAM
    assert PROGRAM.has_code_list("EVG", 2026) and PROGRAM.has_code_list("SUM", 2027)
    assert PROGRAM.managed_code("EVG", 2026, "E0601").category == "pap_device"
    assert PROGRAM.validity_days("EVG") == 60


def test_every_reference_row_has_a_source():
    for name in (
        "sleep_codes.csv",
        "sleep_plans.csv",
        "sleep_criteria.csv",
        "sleep_supply_limits.csv",
        "sleep_device_recalls.csv",
    ):
        frame = reference._read_table(name)
        assert (frame["source"].str.strip() != "").all()


def decide_one(code: str, age: int = 50, plan: str = "EVG", **data):
    details = SleepDetails.model_validate(data)
    return decide(PROGRAM, ProgramRequest(plan, REQUEST_DAY, age, (code,), details)).lines[0]


def test_engine_home_test_for_an_uncomplicated_adult_is_approved():
    line = decide_one("G0399", request_kind="sleep_study", study_type="home_sleep_test")
    assert line.outcome is Outcome.AUTHORIZED


def test_engine_home_test_with_a_lab_condition_goes_to_a_reviewer():
    line = decide_one(
        "G0399", request_kind="sleep_study", study_type="home_sleep_test", lab_conditions=["stroke_history"]
    )
    assert line.outcome is Outcome.PENDED


def test_engine_in_lab_study_with_a_lab_condition_is_approved():
    line = decide_one(
        "95810", request_kind="sleep_study", study_type="in_lab_psg", lab_conditions=["chronic_opioids"]
    )
    assert line.outcome is Outcome.AUTHORIZED


def test_engine_pap_coverage():
    cpap = {"request_kind": "pap_device", "device_type": "cpap"}
    assert decide_one("E0601", **cpap, diagnostic_index=22).outcome is Outcome.AUTHORIZED
    assert decide_one("E0601", **cpap, diagnostic_index=10).outcome is Outcome.PENDED
    bilevel = decide_one("E0470", request_kind="pap_device", device_type="bilevel", diagnostic_index=22)
    assert bilevel.outcome is Outcome.PENDED and "bilevel_cpap_failed" in bilevel.reason
    assert (
        decide_one(
            "E0470", request_kind="pap_device", device_type="bilevel", diagnostic_index=22, cpap_failed=True
        ).outcome
        is Outcome.AUTHORIZED
    )


def test_engine_supplies_need_adherence_and_the_limit():
    supplies = {"request_kind": "supplies", "supplies": [{"item": "A7032", "quantity": 2}]}
    assert decide_one("A7032", **supplies, adherence_compliant=True).outcome is Outcome.AUTHORIZED
    assert decide_one("A7032", **supplies, adherence_compliant=False).outcome is Outcome.PENDED
    over = decide_one(
        "A7032",
        **supplies,
        adherence_compliant=True,
        previous_dispenses=[{"item": "A7032", "dispensed_on": "2026-04-20", "quantity": 2}],
    )
    assert over.outcome is Outcome.PENDED
    assert "Nasal mask cushion (A7032)" in next(result.text for result in over.results if result.met is False)


def test_engine_grace_days_come_from_the_plan():
    supplies = {
        "request_kind": "supplies",
        "supplies": [{"item": "A7037"}],
        "adherence_compliant": True,
        "previous_dispenses": [{"item": "A7037", "dispensed_on": "2026-02-10"}],
    }
    assert decide_one("A7037", plan="EVG", **supplies).outcome is Outcome.PENDED
    assert decide_one("A7037", plan="SUM", **supplies).outcome is Outcome.AUTHORIZED  # 10-day grace


# --- Wizard additions: limits on the date of service, summary lines ---------------------------


def test_details_refuse_a_supply_over_its_limit_on_the_date_of_service():
    data = {
        "request_kind": "supplies",
        "supplies": [{"item": "A7037"}],
        "previous_dispenses": [{"item": "A7037", "dispensed_on": "2026-02-10"}],
    }
    SleepDetails.model_validate(data)  # without the date of service nothing is checked
    with pytest.raises(ValueError) as refused:
        SleepDetails.model_validate(data, context={"service_date": date(2026, 5, 4)})
    assert "Tubing (A7037)" in str(refused.value) and "05/10/2026" in str(refused.value)
    # The plan's grace days (SUM: 10) let the refill ship from 04/30/2026.
    SleepDetails.model_validate({**data, "grace_days": 10}, context={"service_date": date(2026, 5, 4)})


def test_summary_shows_the_recall_notice_and_the_adherence():
    recalled = SleepDetails.model_validate(
        {"request_kind": "pap_device", "device_type": "cpap", "device_model": "Philips DreamStation"}
    )
    assert "recalled this device model" in dict(PROGRAM.summary_lines(recalled, REQUEST_DAY))["Recall notice"]
    supplies = SleepDetails.model_validate(
        {
            "request_kind": "supplies",
            "supplies": [{"item": "A7032"}],
            "adherence_compliant": False,
            "adherence_window_start": "2026-01-05",
            "adherence_nights_over_4h": 20,
        }
    )
    text = dict(PROGRAM.summary_lines(supplies, REQUEST_DAY))["PAP use from device data"]
    assert text.startswith(
        "20 of 30 nights with 4 hours of use or more, from 01/05/2026 to 02/03/2026 (67 %)"
    )
    assert "does not meet" in text
    unknown = SleepDetails.model_validate({"request_kind": "pap_continued", "device_type": "cpap"})
    assert (
        "No device data on file"
        in dict(PROGRAM.summary_lines(unknown, REQUEST_DAY))["PAP use from device data"]
    )
