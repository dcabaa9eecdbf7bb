"""The optional program hooks: approval windows and request-dependent notification-only lines.

Rules under test: a program without a `validity_end` hook keeps the calendar-day window of
`windows.validity_window` (day 1 is the date of service; program FAQ, shared/seeds/001, "the
original [30 or 60] days"); a program's `notification_rule` makes a managed line notification
only for that request (musculoskeletal FAQ, shared/seeds/003: 62320/62322 with G89.11, G89.12 or
G89.18), and never turns an unmanaged code into a managed one.
"""

from datetime import date, timedelta

import pytest
from pydantic import BaseModel

from portal_app.domain.enums import Program
from portal_app.domain.programs import (
    ManagedCode,
    PriorService,
    ProgramDefinition,
    ProgramRequest,
    get_program,
)
from portal_app.domain.rules import (
    REASON_NOTIFICATION,
    REASON_NOTIFICATION_BY_RULE,
    CriterionResult,
    Outcome,
    evaluate,
)
from portal_app.domain.windows import validity_window

IMAGING = get_program(Program.IMAGING)


# --- approval_window ------------------------------------------------------------------------


@pytest.mark.parametrize("plan", ["EVG", "LKS", "RVB", "XYZ"])
@pytest.mark.parametrize(
    "service", [date(2026, 1, 1), date(2026, 2, 28), date(2028, 2, 29), date(2026, 12, 31)]
)
def test_imaging_approval_window_is_the_validity_window(plan, service):
    window = validity_window(start=service, days=IMAGING.validity_days(plan))
    assert IMAGING.approval_window(plan, service) == (window.start, window.end)


def test_imaging_approval_window_values():
    # EVG: 30 days, RVB: 60 days (imaging_plans.csv), the date of service being day 1.
    assert IMAGING.approval_window("EVG", date(2026, 3, 2)) == (date(2026, 3, 2), date(2026, 3, 31))
    assert IMAGING.approval_window("RVB", date(2026, 3, 2)) == (date(2026, 3, 2), date(2026, 4, 30))


class Answers(BaseModel):
    answer: bool | None = True
    stay_days: int = 0


CODES = {
    ("TST", 2026): {
        "A1": ManagedCode("A1", "Test procedure with criteria", "test", False),
        "N1": ManagedCode("N1", "Test procedure, notification only", "test", True),
    },
}


def criteria(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    if code not in CODES[("TST", 2026)]:
        return None
    return [CriterionResult("T-1", "Depends on the answer", "Test guideline", request.details.answer)]


def fake_program(**hooks) -> ProgramDefinition:
    return ProgramDefinition(
        code=Program.SLEEP,
        label="Fake program for hook tests",
        details_schema=Answers,
        validity_policy=lambda plan: 30,
        code_index=lambda plan, year: CODES.get((plan, year), {}),
        criteria=criteria,
        **hooks,
    )


def test_validity_end_hook_decides_the_window():
    program = fake_program(
        validity_end=lambda plan, service, details: service + timedelta(days=details.stay_days)
    )
    assert program.approval_window("TST", date(2026, 5, 4), Answers(stay_days=3)) == (
        date(2026, 5, 4),
        date(2026, 5, 7),
    )
    assert program.validity_days("TST") == 30  # the usual length is still there for other uses


def test_validity_end_before_the_service_date_is_refused():
    program = fake_program(validity_end=lambda plan, service, details: service - timedelta(days=1))
    with pytest.raises(ValueError):
        program.approval_window("TST", date(2026, 5, 4), None)


# --- notification_rule in the engine --------------------------------------------------------


def request(*codes, answer=True, diagnoses=(), duplicate_of=""):
    return ProgramRequest(
        plan_code="TST",
        service_date=date(2026, 6, 1),
        member_age=50,
        codes=codes,
        details=Answers(answer=answer),
        diagnosis_codes=diagnoses,
        duplicate_of=duplicate_of,
    )


def rule_on_diagnosis(code: str, req: ProgramRequest) -> bool:
    return code == "A1" and req.diagnosis_codes[:1] == ("G89.18",)


def test_rule_makes_a_managed_line_notification_only():
    program = fake_program(notification_rule=rule_on_diagnosis)
    (line,) = evaluate(program, request("A1", answer=False, diagnoses=("G89.18",))).lines
    assert line.outcome is Outcome.NOTIFICATION_ONLY
    assert line.reason == REASON_NOTIFICATION_BY_RULE.format(code="A1")
    assert line.results == ()


def test_rule_false_leaves_the_criteria_to_decide():
    program = fake_program(notification_rule=rule_on_diagnosis)
    (line,) = evaluate(program, request("A1", answer=False, diagnoses=("M54.16", "G89.18"))).lines
    assert line.outcome is Outcome.PENDED
    (line,) = evaluate(program, request("A1", answer=True, diagnoses=("M54.16",))).lines
    assert line.outcome is Outcome.AUTHORIZED


def test_rule_never_makes_an_unmanaged_code_reviewable():
    program = fake_program(notification_rule=lambda code, req: True)
    (line,) = evaluate(program, request("ZZ9")).lines
    assert line.outcome is Outcome.NOT_MANAGED


def test_code_row_notification_keeps_its_own_reason():
    program = fake_program(notification_rule=lambda code, req: True)
    (line,) = evaluate(program, request("N1")).lines
    assert line.reason == REASON_NOTIFICATION.format(code="N1")


def test_a_broken_rule_falls_back_to_the_criteria():
    def broken(code, req):
        raise RuntimeError("a bug in a rule")

    program = fake_program(notification_rule=broken)
    (line,) = evaluate(program, request("A1", answer=False)).lines
    assert line.outcome is Outcome.PENDED


def test_a_possible_duplicate_still_goes_to_a_reviewer():
    program = fake_program(notification_rule=rule_on_diagnosis)
    (line,) = evaluate(program, request("A1", diagnoses=("G89.18",), duplicate_of="PC20260000017")).lines
    assert line.outcome is Outcome.PENDED


def test_without_hooks_nothing_changes():
    program = fake_program()
    assert not program.is_notification_only("A1", request("A1", diagnoses=("G89.18",)))
    (line,) = evaluate(program, request("A1", diagnoses=("G89.18",))).lines
    assert line.outcome is Outcome.AUTHORIZED


def test_prior_services_default_and_fields():
    assert request("A1").prior_services == ()
    prior = PriorService("62323", date(2026, 1, 5))
    assert prior.body_region == ""
    with pytest.raises(AttributeError):
        prior.code = "62321"  # frozen
