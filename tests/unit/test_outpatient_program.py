"""The transportation and other outpatient services program.

Expected values and their sources:
* scope (non-emergent ground transport, domestic and international; nutrition, hematology,
  neuromuscular and other procedures) and the 60-day validity unless state law says otherwise:
  program FAQ (shared/seeds/002);
* June 2026 starts on a Monday (calendar), so its Mondays, Wednesdays and Fridays are 1, 3, 5,
  8, 10, 12, 15, 17, 19, 22, 24, 26 and 29 June;
* the clinical questions and their citations: outpatient_questions.csv.
"""

from datetime import date

import pytest

from portal_app.domain.enums import Program
from portal_app.domain.programs import ProgramRequest
from portal_app.domain.rules import Outcome, evaluate
from portal_app.domain.windows import validity_window
from portal_app.programs.outpatient.domain import (
    MOBILITY_LABELS,
    PROGRAM,
    SERVICE_KIND_LABELS,
    TRIP_TYPE_LABELS,
    WEEKDAY_LABELS,
    OutpatientDetails,
    TransportDetails,
    TripSchedule,
    TripScheduleError,
    _table,
    code_choices,
    code_facts,
    details_errors,
    questions_by_id,
    questions_for,
    trip_dates,
    validity_days,
)

SERVICE = date(2026, 6, 1)  # a Monday
JUNE_1 = "2026-06-01"

HOME = {"line1": "12 Demo Way", "city": "Springfield", "region": "IL", "postal_code": "62701"}
CLINIC = {"line1": "400 Sample Street", "city": "Springfield", "region": "il", "postal_code": "62704-1234"}


def transport(**changes) -> dict:
    return {
        "origin": HOME,
        "destination": CLINIC,
        "trip_type": "round_trip",
        "mobility": "wheelchair",
        "medical_reason": "Dialysis three times a week; uses a wheelchair since a stroke.",
        **changes,
    }


def outpatient(kind="transport", answers=None, **transport_changes) -> OutpatientDetails:
    data = {"service_kind": kind, "answers": answers or {}}
    if kind == "transport":
        data["transport"] = transport(**transport_changes)
    return OutpatientDetails.model_validate(data, context={"service_date": SERVICE, "validity_days": 60})


def request(*codes, details, plan="LKS", service=SERVICE):
    return ProgramRequest(plan_code=plan, service_date=service, member_age=70, codes=codes, details=details)


def outcome(code, details, **kwargs) -> Outcome:
    (line,) = evaluate(PROGRAM, request(code, details=details, **kwargs)).lines
    return line


# --- reference data --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["outpatient_codes.csv", "outpatient_plans.csv", "outpatient_questions.csv"])
def test_every_reference_row_names_its_source(name):
    frame = _table(name)
    assert len(frame) > 0
    assert (frame["source"].str.strip() != "").all()


def test_every_question_belongs_to_known_codes_of_its_kind():
    facts = code_facts()
    for question in questions_by_id().values():
        assert question.codes and question.text and question.citation
        for code in question.codes:
            assert facts[code].service_kind == question.category


def test_every_service_kind_has_codes_and_labels():
    kinds = {item.service_kind for item in code_choices("LKS", 2026)}
    assert kinds == set(SERVICE_KIND_LABELS)
    for labels in (TRIP_TYPE_LABELS, MOBILITY_LABELS, WEEKDAY_LABELS):
        assert all(label.strip() for label in labels.values())
    assert [item.code for item in code_choices("RVB", 2027, service_kind="nutrition")] == []


@pytest.mark.parametrize(("plan", "days"), [("LKS", 60), ("RVB", 30), ("XYZ", 60), ("", 60)])
def test_validity_days_per_plan(plan, days):
    assert validity_days(plan) == days
    window = validity_window(start=SERVICE, days=days)
    assert PROGRAM.approval_window(plan, SERVICE) == (window.start, window.end)


def test_questions_for_a_code():
    assert [question.question_id for question in questions_for("a0428")] == ["TRN-1", "TRN-4"]
    assert questions_for("A0425") == []  # mileage: no questions of its own


# --- trip dates ------------------------------------------------------------------------------


def test_monday_wednesday_friday_across_a_month():
    schedule = {"weekdays": ["mon", "wed", "fri"], "start_date": "2026-06-01", "end_date": "2026-06-30"}
    days = (1, 3, 5, 8, 10, 12, 15, 17, 19, 22, 24, 26, 29)
    assert trip_dates(schedule) == [date(2026, 6, day) for day in days]


def test_a_number_of_trips_instead_of_an_end_date():
    schedule = TripSchedule(weekdays=["fri", "tue"], start_date=date(2026, 6, 3), trip_count=4)
    assert trip_dates(schedule) == [date(2026, 6, 5), date(2026, 6, 9), date(2026, 6, 12), date(2026, 6, 16)]


def test_explicit_dates_are_sorted_without_repeats():
    schedule = {"dates": ["2026-06-20", "2026-06-02", "2026-06-20"]}
    assert trip_dates(schedule, first_allowed=SERVICE) == [date(2026, 6, 2), date(2026, 6, 20)]


def test_the_last_day_of_the_approval_is_allowed():
    # 60 days from 1 June 2026: the approval's last day is 30 July 2026.
    assert trip_dates({"dates": ["2026-07-30"]}, first_allowed=SERVICE) == [date(2026, 7, 30)]
    with pytest.raises(TripScheduleError):
        trip_dates({"dates": ["2026-07-31"]}, first_allowed=SERVICE)


@pytest.mark.parametrize(
    ("schedule", "kwargs", "message_part"),
    [
        ({"weekdays": ["sat"], "start_date": "2026-06-01", "end_date": "2026-06-05"}, {}, "no trip"),
        ({"weekdays": ["mon"], "start_date": JUNE_1, "end_date": "2026-09-30"}, {}, "runs past the 60 days"),
        ({"weekdays": ["mon"], "start_date": "2026-06-01", "trip_count": 10}, {}, "runs past the 60 days"),
        ({"weekdays": ["mon"], "start_date": JUNE_1, "trip_count": 6}, {"max_days": 30}, "past the 30 days"),
        (
            {"weekdays": ["mon"], "start_date": "2026-05-25", "trip_count": 2},
            {"first_allowed": SERVICE},
            "before the date of service",
        ),
        ({"weekdays": ["mon"], "start_date": "2026-06-10", "end_date": JUNE_1}, {}, "before its first day"),
        ({"weekdays": ["mon"], "start_date": "2026-06-01"}, {}, "last day or the number of trips"),
        (
            {"weekdays": ["mon"], "start_date": JUNE_1, "end_date": "2026-06-30", "trip_count": 3},
            {},
            "one of the two",
        ),
        ({"dates": ["2026-06-02"], "weekdays": ["mon"]}, {}, "not both"),
        ({"weekdays": ["someday"], "start_date": "2026-06-01", "trip_count": 3}, {}, "days of the week"),
        ({"dates": ["2026-06-31"]}, {}, "as a date"),
        ({}, {}, "days of the week and the first day"),
    ],
)
def test_schedules_that_give_no_usable_trips(schedule, kwargs, message_part):
    with pytest.raises(TripScheduleError) as raised:
        trip_dates(schedule, **kwargs)
    assert message_part in str(raised.value)


# --- details validation ----------------------------------------------------------------------


def test_a_recurring_transport_request_validates_its_schedule():
    schedule = {"weekdays": ["mon", "wed", "fri"], "start_date": "2026-06-01", "end_date": "2026-07-03"}
    found = details_errors(
        {"service_kind": "transport", "transport": transport(trip_type="recurring", schedule=schedule)},
        service_date=SERVICE,
        plan_code="LKS",
    )
    assert found == {}
    # RVB approvals last 30 days (outpatient_plans.csv), up to 30 June: 1 and 3 July do not fit.
    found = details_errors(
        {"service_kind": "transport", "transport": transport(trip_type="recurring", schedule=schedule)},
        service_date=SERVICE,
        plan_code="RVB",
    )
    assert "runs past the 30 days" in found["transport.schedule"]


def test_one_way_and_round_trips_drop_any_schedule():
    answers = outpatient(trip_type="one_way", schedule={"weekdays": ["mon"]})
    assert answers.transport.schedule is None


def test_international_trip():
    abroad = {"line1": "Av. Reforma 100", "city": "Ciudad de Mexico", "country": "mx"}
    answers = outpatient(destination=abroad)
    assert answers.transport.international
    assert answers.transport.destination.country == "MX"
    assert not outpatient().transport.international


@pytest.mark.parametrize(
    ("changes", "field", "message_part"),
    [
        ({"trip_type": "recurring"}, "transport.schedule", "schedule of the recurring trips"),
        ({"destination": HOME}, "transport.destination", "same as the pick-up address"),
        ({"origin": HOME | {"postal_code": "627"}}, "transport.origin.postal_code", "ZIP code"),
        ({"origin": HOME | {"region": "Illinois"}}, "transport.origin.region", "two-letter code"),
        ({"origin": HOME | {"country": "Mexico"}}, "transport.origin.country", "two-letter code"),
        ({"origin": HOME | {"line1": "  "}}, "transport.origin.line1", "Please answer"),
        ({"mobility": "bicycle"}, "transport.mobility", "help the member needs"),
        ({"trip_type": "daily"}, "transport.trip_type", "kind of trip"),
        ({"medical_reason": ""}, "transport.medical_reason", "Please answer"),
        ({"medical_reason": "x" * 1001}, "transport.medical_reason", "1,000 characters"),
    ],
)
def test_plain_transport_messages(changes, field, message_part):
    data = {"service_kind": "transport", "transport": transport(**changes)}
    found = details_errors(data, service_date=SERVICE)
    assert field in found, found
    assert message_part in found[field]
    assert not any("Input should" in message for message in found.values())


@pytest.mark.parametrize(
    ("data", "field", "message_part"),
    [
        ({}, "service_kind", "Please answer"),
        ({"service_kind": "dental"}, "service_kind", "kind of service"),
        ({"service_kind": "transport"}, "transport", "Give the trip"),
        ({"service_kind": "nutrition", "answers": {"XYZ-9": "yes"}}, "answers", "not asked here: XYZ-9"),
        ({"service_kind": "nutrition", "answers": {"NUT-1": "perhaps"}}, "answers", "yes, no or not known"),
        ({"service_kind": "nutrition", "answers": "yes"}, "answers", "from the list"),
    ],
)
def test_plain_details_messages(data, field, message_part):
    found = details_errors(data)
    assert field in found, found
    assert message_part in found[field]


def test_transport_is_cleared_for_other_services():
    answers = OutpatientDetails.model_validate({"service_kind": "nutrition", "transport": transport()})
    assert answers.transport is None


# --- criteria --------------------------------------------------------------------------------

WHEELCHAIR_YES = {"TRN-1": "yes", "TRN-3": "yes"}


def test_wheelchair_van_with_the_right_answers_is_authorized():
    line = outcome("A0130", outpatient(answers=WHEELCHAIR_YES))
    assert line.outcome is Outcome.AUTHORIZED
    assert [result.criterion_id for result in line.results] == ["OP-KIND", "TRN-MOB", "TRN-1", "TRN-3"]


@pytest.mark.parametrize(
    ("answers", "mobility", "criterion"),
    [
        ({"TRN-1": "yes", "TRN-3": "no"}, "wheelchair", "TRN-3"),
        ({"TRN-1": "yes", "TRN-3": "unknown"}, "wheelchair", "TRN-3"),
        ({"TRN-1": "yes"}, "wheelchair", "TRN-3"),
        (WHEELCHAIR_YES, "stretcher", "TRN-MOB"),  # the vehicle gives less help than needed
    ],
)
def test_wheelchair_van_goes_to_a_reviewer(answers, mobility, criterion):
    line = outcome("A0130", outpatient(answers=answers, mobility=mobility))
    assert line.outcome is Outcome.PENDED
    assert criterion in line.reason


def test_a_code_of_another_kind_goes_to_a_reviewer():
    line = outcome("97802", outpatient(answers=WHEELCHAIR_YES))
    assert line.outcome is Outcome.PENDED and "OP-KIND" in line.reason


@pytest.mark.parametrize(
    ("code", "kind", "answers", "expected"),
    [
        ("G0277", "other", {"HBO-1": "yes", "HBO-2": "yes"}, Outcome.AUTHORIZED),
        ("G0277", "other", {"HBO-1": "yes", "HBO-2": "no"}, Outcome.PENDED),
        ("97802", "nutrition", {"NUT-1": "yes", "NUT-2": "yes"}, Outcome.AUTHORIZED),
        ("J0885", "hematology", {"ESA-1": "yes"}, Outcome.AUTHORIZED),
        ("J0885", "hematology", {}, Outcome.PENDED),
        ("E0745", "neuromuscular", {"NMS-1": "yes"}, Outcome.AUTHORIZED),
    ],
)
def test_procedure_questions(code, kind, answers, expected):
    assert outcome(code, outpatient(kind=kind, answers=answers)).outcome is expected


def test_codes_outside_the_plan_are_not_managed():
    nutrition = outpatient(kind="nutrition", answers={"NUT-1": "yes", "NUT-2": "yes"})
    assert outcome("97802", nutrition, plan="RVB", service=date(2027, 2, 1)).outcome is Outcome.NOT_MANAGED
    assert outcome("27447", nutrition).outcome is Outcome.NOT_MANAGED


def test_program_object():
    assert PROGRAM.code is Program.OUTPATIENT
    assert PROGRAM.details_schema is OutpatientDetails
    assert PROGRAM.validity_days("LKS") == 60
    assert TransportDetails.model_fields["mobility"].is_required()
