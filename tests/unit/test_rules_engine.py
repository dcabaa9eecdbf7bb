"""The generic rules engine, tested with a small fake program, then with the imaging program.

Rules under test (architecture notes and program FAQ, shared/seeds/001): a code not managed
for the service year is not reviewed; notification-only codes are recorded; criteria all met
approve at once; anything else goes to a person; the engine never issues a denial ("No
adverse determination is made until the case has been reviewed by a physician reviewer");
a possible duplicate goes to a nurse.
"""

import itertools
import random
from datetime import date

import pytest
from pydantic import BaseModel

from portal_app.domain.enums import Program
from portal_app.domain.programs import ManagedCode, ProgramDefinition, ProgramRequest, get_program
from portal_app.domain.rules import CriterionResult, Determination, LineOutcome, Outcome, evaluate
from portal_app.programs.imaging.domain import (
    INDICATIONS,
    MODALITY_BODY_PARTS,
    RED_FLAGS,
    ImagingDetails,
)


class FakeDetails(BaseModel):
    answer: bool | None = True


CODES = {
    ("TST", 2026): {
        "A1": ManagedCode("A1", "Test exam with criteria", "test", False),
        "N1": ManagedCode("N1", "Test exam, notification only", "test", True),
        "X1": ManagedCode("X1", "Test exam without criteria", "test", False),
        "E1": ManagedCode("E1", "Test exam whose rule is broken", "test", False),
    },
}


def fake_criteria(code: str, request: ProgramRequest) -> list[CriterionResult] | None:
    if code == "E1":
        raise RuntimeError("a bug in a rule")
    if code != "A1":
        return None
    return [
        CriterionResult("T-1", "Always met", "Test guideline 1", True),
        CriterionResult("T-2", "Depends on the answer", "Test guideline 2", request.details.answer),
    ]


FAKE = ProgramDefinition(
    code=Program.SLEEP,
    label="Fake program for engine tests",
    details_schema=FakeDetails,
    validity_policy=lambda plan: 30,
    code_index=lambda plan, year: CODES.get((plan, year), {}),
    criteria=fake_criteria,
)


def request(*codes, answer=True, plan="TST", service=date(2026, 6, 1), duplicate_of=""):
    return ProgramRequest(
        plan_code=plan,
        service_date=service,
        member_age=50,
        codes=codes,
        details=FakeDetails(answer=answer),
        duplicate_of=duplicate_of,
    )


@pytest.mark.parametrize(
    ("code", "answer", "outcome", "reason_part"),
    [
        ("ZZ9", True, Outcome.NOT_MANAGED, "not on this plan's list"),
        ("N1", True, Outcome.NOTIFICATION_ONLY, "notification only"),
        ("A1", True, Outcome.AUTHORIZED, "meets all 2 of its criteria"),
        ("A1", False, Outcome.PENDED, "criterion T-2 is not met"),
        ("A1", None, Outcome.PENDED, "do not settle criterion T-2"),
        ("X1", True, Outcome.PENDED, "no automatic criteria"),
        ("E1", True, Outcome.PENDED, "could not be checked automatically"),
        (" a1 ", True, Outcome.AUTHORIZED, "meets"),  # codes are trimmed and upper-cased
    ],
)
def test_line_outcomes(code, answer, outcome, reason_part):
    (line,) = evaluate(FAKE, request(code, answer=answer)).lines
    assert line.outcome is outcome
    assert reason_part in line.reason
    assert "deni" not in line.reason.lower()


def test_results_and_citations_are_kept():
    (line,) = evaluate(FAKE, request("A1", answer=False)).lines
    assert [result.criterion_id for result in line.results] == ["T-1", "T-2"]
    assert line.citation == "Test guideline 1; Test guideline 2"


def test_service_year_decides_the_code_list():
    # No list loaded for 2027: every line goes to a reviewer rather than "not managed".
    (line,) = evaluate(FAKE, request("A1", service=date(2027, 1, 4))).lines
    assert line.outcome is Outcome.PENDED
    assert "2027" in line.reason


@pytest.mark.parametrize("code", ["A1", "N1", "X1"])
def test_a_possible_duplicate_always_goes_to_a_reviewer(code):
    (line,) = evaluate(FAKE, request(code, duplicate_of="PC20260000017")).lines
    assert line.outcome is Outcome.PENDED
    assert line.reason.startswith("Possible duplicate of PC20260000017")


def test_a_duplicate_does_not_make_unmanaged_codes_reviewable():
    (line,) = evaluate(FAKE, request("ZZ9", duplicate_of="PC20260000017")).lines
    assert line.outcome is Outcome.NOT_MANAGED


def test_determination_helpers():
    result = evaluate(FAKE, request("A1", "N1", "ZZ9", "X1"))
    assert isinstance(result, Determination)
    assert [line.code for line in result.lines] == ["A1", "N1", "ZZ9", "X1"]
    assert result.needs_review
    assert [line.code for line in result.not_managed] == ["ZZ9"]
    assert [line.code for line in result.pended] == ["X1"]
    assert [line.code for line in result.authorized] == ["A1"]
    assert [line.code for line in result.notification_only] == ["N1"]
    assert not evaluate(FAKE, request("A1", "N1")).needs_review


def test_the_engine_has_no_denial_outcome():
    assert {outcome.value for outcome in Outcome} == {
        "authorized",
        "pended",
        "notification_only",
        "not_managed",
    }


# --- never a denial, for any input: a seeded sweep over the imaging program --------------------

IMAGING = get_program(Program.IMAGING)
ALL_CODES = sorted(
    {item.code for plan in ("EVG", "LKS", "RVB") for item in IMAGING.managed_codes(plan, 2027)}
) + ["99999", "", "ABCDE"]


def _random_details(rng: random.Random, age: int) -> ImagingDetails | None:
    modality = rng.choice(list(MODALITY_BODY_PARTS))
    result = rng.choice(["normal", "abnormal"])
    body_part = rng.choice(MODALITY_BODY_PARTS[modality])
    symptoms = rng.choice([None, 0, 3, 6, 12])
    care = rng.choice([None, 0, 6]) if symptoms is not None and symptoms >= 6 else None
    data = {
        "modality": modality,
        "body_part": body_part,
        "laterality": rng.choice(["left", "right", "bilateral"]),
        "clinical_indication": rng.choice(INDICATIONS),
        "weeks_of_symptoms": symptoms,
        "weeks_conservative_care": care,
        "red_flags": rng.sample(RED_FLAGS, rng.choice([0, 0, 1, 2])),
        "cardiac": {
            "chest_pain_type": rng.choice(["typical", "atypical", "non_anginal", "dyspnea_only", "none"]),
            "risk_factors": rng.sample(["diabetes", "smoking", "hypertension"], rng.choice([0, 1])),
            "prior_tests": rng.choice([[], [{"test": "exercise_ecg", "result": result, "months_ago": 3}]]),
        },
        "site_of_care": rng.choice(["hospital_outpatient", "free_standing", "physician_office"]),
        "hospital_reason": "Needs anesthesia support available only at the hospital.",
    }
    return ImagingDetails.model_validate(data, context={"member_age": age})


def test_never_a_denial_for_thousands_of_generated_requests():
    rng = random.Random(20260504)
    seen: set[Outcome] = set()
    for _ in range(3000):
        age = rng.choice([0, 12, 18, 19, 29, 30, 45, 55, 65, 80, 104])
        codes = tuple(rng.sample(ALL_CODES, rng.choice([1, 2, 3])))
        req = ProgramRequest(
            plan_code=rng.choice(["EVG", "LKS", "RVB", "SUM", "", "evg"]),
            service_date=date(rng.choice([2025, 2026, 2027, 2028]), rng.randint(1, 12), rng.randint(1, 28)),
            member_age=age,
            codes=codes,
            details=_random_details(rng, age),
            duplicate_of=rng.choice(["", "", "", "PC20260000017"]),
            member_sex=rng.choice(["F", "M", "U", "", "x"]),
        )
        result = evaluate(IMAGING, req)
        assert len(result.lines) == len(codes)
        for line in result.lines:
            assert isinstance(line, LineOutcome)
            assert line.outcome in set(Outcome)
            assert "deni" not in line.reason.lower()
            if line.outcome is Outcome.AUTHORIZED:
                assert line.results and all(r.met is True for r in line.results)
                assert not req.duplicate_of
            seen.add(line.outcome)
    assert seen == set(Outcome)  # the sweep reached every outcome


def test_details_of_another_program_are_never_approved():
    # Wrong details type: the imaging criteria cannot read them, so the case goes to a person.
    for code in ("72148", "75574", "78815"):
        req = ProgramRequest("EVG", date(2026, 5, 4), 50, (code,), FakeDetails(), member_sex="M")
        (line,) = evaluate(IMAGING, req).lines
        assert line.outcome is Outcome.PENDED


@pytest.mark.parametrize(("plan", "year"), list(itertools.product(["EVG", "LKS", "RVB"], [2026, 2027])))
def test_every_managed_code_gets_an_outcome(plan, year):
    codes = tuple(item.code for item in IMAGING.managed_codes(plan, year))
    details = ImagingDetails.model_validate(
        {
            "modality": "mri",
            "body_part": "brain",
            "clinical_indication": "other",
            "site_of_care": "free_standing",
        },
        context={"member_age": 40},
    )
    result = evaluate(IMAGING, ProgramRequest(plan, date(year, 3, 2), 40, codes, details))
    assert not result.not_managed
    assert {line.outcome for line in result.lines} <= {Outcome.PENDED, Outcome.NOTIFICATION_ONLY}
