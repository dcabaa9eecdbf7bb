"""The Da Vinci DTR payer operations over HTTP, with the PAS API's SMART Backend Services tokens:
`$questionnaire-package` answered for the DTR guide's own example inputs (shared/conformance/dtr,
unchanged) with the checks the Inferno DTR payer suite makes, non-conformant inputs refused with
OperationOutcomes, `$next-question` for a branching program, `$log-questionnaire-errors`, and a PAS
`$submit` whose QuestionnaireResponse was filled in the served questionnaire decided exactly like the
same answers given as the wizard's (SQLite and PostgreSQL).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.parameters import Parameters
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from portal_app.domain import dtr as forms
from portal_app.domain.enums import Program
from portal_app.domain.programs import PROGRAMS
from portal_app.services import dtr
from portal_app.services.pas.requests import parse_submit
from tests.conftest import BACKENDS
from tests.integration import pas_bundles as pb
from tests.integration import test_pas_api as pas_api

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

demo, api = pas_api.demo, pas_api.api  # demo data, and the FHIR routes on its database
EXAMPLES = Path(__file__).parents[1] / "conformance" / "dtr-examples"  # unchanged, see SOURCES.md there
PACKAGE, NEXT, ERRORS = (
    "/fhir/Questionnaire/$questionnaire-package",
    "/fhir/Questionnaire/$next-question",
    "/fhir/Questionnaire/$log-questionnaire-errors",
)
BASE = f"{pb.PORTAL}/fhir"


def _example(name: str) -> dict:
    """A DTR example input, byte for byte as the guide and the Inferno DTR test kit publish it."""
    return json.loads((EXAMPLES / name).read_text())


@pytest.fixture
def client(demo) -> pb.Client:
    return pb.register(demo)


def _post(api, client, path: str, body: dict, status: int = 200) -> dict:
    answer = api.post(path, json=body, headers=client.headers(api))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    return answer.json()


def _bundles(output: dict) -> list[dict]:
    Parameters.model_validate(output)
    return [p["resource"] for p in output["parameter"] if p["name"] == "PackageBundle"]


def _items(items: list[dict]) -> list[dict]:
    return [one for item in items for one in (item, *_items(item.get("item", [])))]


def inferno_package_checks(bundle: dict, given: dict) -> None:
    """What the Inferno DTR payer suite checks of each package Bundle: a valid Bundle whose first
    entry is the Questionnaire, every answerValueSet present and expanded, pre-population expressions
    on the Questionnaire, and an initial QuestionnaireResponse for it whose answers carry origin auto.
    Also what the output profile asks of that response, as far as the input ``given`` allows: its
    subject (the Coverage's beneficiary) and a qr-context for each Coverage and order with an id."""
    Bundle.model_validate(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    questionnaire = resources[0]
    assert questionnaire["resourceType"] == "Questionnaire"
    value_sets = {f"{r['url']}|{r['version']}": r for r in resources if r["resourceType"] == "ValueSet"}
    items = _items(questionnaire["item"])
    for item in items:
        if "answerValueSet" in item:
            assert value_sets[item["answerValueSet"]]["expansion"]["contains"], item["linkId"]
    expressions = [
        e for i in items for e in i.get("extension", []) if e["url"] == forms.EXT_INITIAL_EXPRESSION
    ]
    assert expressions and all(e["valueExpression"]["expression"] for e in expressions)
    [response] = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    QuestionnaireResponse.model_validate(response)
    assert response["questionnaire"] == f"{questionnaire['url']}|{questionnaire['version']}"
    inputs = [p["resource"] for p in given["parameter"] if p["name"] in ("coverage", "order")]
    beneficiary = inputs[0].get("beneficiary")
    assert response.get("subject") == beneficiary
    contexts = [
        e["valueReference"] for e in response.get("extension", []) if e["url"] == forms.EXT_QR_CONTEXT
    ]
    assert contexts == [
        {"reference": f"{r['resourceType']}/{r['id']}", "type": r["resourceType"]}
        for r in inputs
        if "id" in r
    ]
    assert not [i["linkId"] for i in _items(questionnaire["item"]) if i.get("readOnly")]
    answered = [i for i in _items(response["item"]) if i.get("answer")]
    for answer in (answer for item in answered for answer in item["answer"]):
        [origin] = [e for e in answer["extension"] if e["url"] == forms.EXT_INFORMATION_ORIGIN]
        assert origin["extension"] == [{"url": "source", "valueCode": "auto"}]


@pytest.mark.parametrize(
    "name",
    ["questionnaire_package_input_params_conformant.json", "questionnaire_package_input_params_ri.json"],
)
def test_a_conformant_package_request_gets_packages_inferno_accepts(api, client, name):
    given = _example(name)
    output = _post(api, client, PACKAGE, given)
    bundles = _bundles(output)
    assert len(bundles) == len(PROGRAMS)  # the example orders name no code a program manages: every form
    for bundle in bundles:
        inferno_package_checks(bundle, given)
    [outcome] = [p["resource"] for p in output["parameter"] if p["name"] == "outcome"]
    assert outcome["issue"][0]["severity"] == "warning"


def test_the_conformant_example_pre_fills_what_its_coverage_and_order_say(api, client):
    [bundle, *_] = _bundles(
        _post(api, client, PACKAGE, _example("questionnaire_package_input_params_conformant.json"))
    )
    response = bundle["entry"][-1]["resource"]
    answers = {
        i["linkId"]: {k: v for k, v in i["answer"][0].items() if k != "extension"}
        for i in _items(response["item"])
        if i.get("answer")
    }
    assert answers == {
        "member_id": {"valueString": "PFP123450000"},  # Coverage.subscriberId of the example
        "requested_code": {"valueString": "24338-6"},  # its ServiceRequest.code (LOINC gas panel)
        "order_reason": {"valueString": "4565000"},
    }
    assert response["subject"] == {"reference": "Patient/examplepatient"}  # the Coverage's beneficiary
    assert [e["valueReference"] for e in response["extension"] if e["url"] == forms.EXT_QR_CONTEXT] == [
        {"reference": "Coverage/CoverageExample", "type": "Coverage"},
        {"reference": "ServiceRequest/ServiceRequestExample", "type": "ServiceRequest"},
    ]
    assert response["questionnaire"] == bundle["entry"][0]["resource"]["url"] + "|1"


def test_an_order_for_a_managed_code_gets_its_programs_questionnaire_only(api, client, demo):
    raw = pb.for_member(pb.bundle("imaging-approved"), demo, "EVG100000012")
    given = _package_input(raw)
    output = _post(api, client, PACKAGE, given)
    [bundle] = _bundles(output)
    inferno_package_checks(bundle, given)
    assert bundle["entry"][0]["resource"]["url"] == f"{BASE}/Questionnaire/imaging"
    assert not [p for p in output["parameter"] if p["name"] == "outcome"]


def test_a_named_questionnaire_is_returned_and_an_unknown_one_warned_of(api, client):
    body = copy.deepcopy(_example("questionnaire_package_input_params_conformant.json"))
    body["parameter"] += [
        {"name": "questionnaire", "valueCanonical": f"{BASE}/Questionnaire/rehabilitation"},
        {"name": "questionnaire", "valueCanonical": "https://elsewhere.example/Questionnaire/dinner"},
    ]
    output = _post(api, client, PACKAGE, body)
    [bundle] = _bundles(output)
    assert bundle["entry"][0]["resource"]["url"] == f"{BASE}/Questionnaire/rehabilitation"
    [outcome] = [p["resource"] for p in output["parameter"] if p["name"] == "outcome"]
    assert "elsewhere.example" in outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    "name, path, expected",
    [
        ("questionnaire_package_input_params_non_conformant.json", PACKAGE, "Parameters"),  # a Bundle
        ("next_question_initial_input_params_nonconformant.json", NEXT, "questionnaire-response"),
    ],
)
def test_non_conformant_inputs_are_refused_with_an_operation_outcome(api, client, name, path, expected):
    outcome = _post(api, client, path, _example(name), status=400)
    OperationOutcome.model_validate(outcome)
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["severity"] == "error"
    assert expected in " ".join(issue["diagnostics"] for issue in outcome["issue"])


def test_the_operations_need_a_token(api, demo):
    answer = api.post(PACKAGE, json=_example("questionnaire_package_input_params_conformant.json"))
    assert answer.status_code == 401 and answer.json()["resourceType"] == "OperationOutcome"


def test_a_client_without_the_scopes_is_refused(api, demo):
    reader = pb.register(demo, scopes="system/Claim.read")
    answer = api.post(
        PACKAGE,
        json=_example("questionnaire_package_input_params_conformant.json"),
        headers=reader.headers(api),
    )
    assert answer.status_code == 403


def test_the_questionnaire_is_served_at_its_canonical(api, client):
    answer = api.get("/fhir/Questionnaire/medical_oncology", headers=client.headers(api))
    assert answer.status_code == 200 and answer.json()["url"] == f"{BASE}/Questionnaire/medical_oncology"
    assert api.get("/fhir/Questionnaire/dinner", headers=client.headers(api)).status_code == 404


def test_next_question_walks_the_radiation_oncology_branch(api, client):
    start = dtr.adaptive_start(PROGRAMS[Program.RADIATION_ONCOLOGY], BASE)
    asked, answers = (
        [],
        {
            "cancer_type": "prostate",
            "treatment_site": "prostate",
            "intent": "curative",
            "modality": "proton",
            "proton_indication": "pediatric",
            "fractions": 28,
            "total_dose_gy": 70.0,
            "clinical_notes": "Proton plan spares the rectum.",
        },
    )
    response = start
    for _ in range(len(answers) + 1):
        response = _post(
            api,
            client,
            NEXT,
            {
                "resourceType": "Parameters",
                "parameter": [{"name": "questionnaire-response", "resource": response}],
            },
        )
        QuestionnaireResponse.model_validate(response)
        if response["status"] == "completed":
            break
        item = response["contained"][0]["item"][-1]
        asked.append(item["linkId"])
        response["item"] = response.get("item", []) + [
            {"linkId": item["linkId"], "answer": [_value(item, answers[item["linkId"]])]}
        ]
    assert response["status"] == "completed"
    assert asked == list(answers)  # the wizard's order, the proton question after the modality


def test_next_question_skips_the_proton_question_for_imrt(api, client):
    response = dtr.adaptive_start(PROGRAMS[Program.RADIATION_ONCOLOGY], BASE)
    response["item"] = [
        {"linkId": "cancer_type", "answer": [{"valueCoding": {"code": "prostate"}}]},
        {"linkId": "treatment_site", "answer": [{"valueCoding": {"code": "prostate"}}]},
        {"linkId": "intent", "answer": [{"valueCoding": {"code": "curative"}}]},
        {"linkId": "modality", "answer": [{"valueCoding": {"code": "imrt"}}]},
    ]
    body = {
        "resourceType": "Parameters",
        "parameter": [{"name": "questionnaire-response", "resource": response}],
    }
    assert _post(api, client, NEXT, body)["contained"][0]["item"][-1]["linkId"] == "fractions"


def test_the_packages_initial_response_continues_as_the_adaptive_form(api, client, demo):
    raw = pb.for_member(pb.bundle("rehab-visits"), demo, "EVG100000012")
    body = _package_input(raw)
    body["parameter"].append(
        {"name": "questionnaire", "valueCanonical": f"{BASE}/Questionnaire/rehabilitation"}
    )
    [bundle] = _bundles(_post(api, client, PACKAGE, body))
    response = bundle["entry"][-1]["resource"]
    response["item"] += [
        {"linkId": "discipline", "answer": [{"valueCoding": {"code": "PT"}}]},
        {"linkId": "body_region", "answer": [{"valueCoding": {"code": "low_back"}}]},
    ]
    call = {
        "resourceType": "Parameters",
        "parameter": [{"name": "questionnaire-response", "resource": response}],
    }
    answer = _post(api, client, NEXT, call)
    QuestionnaireResponse.model_validate(answer)
    [adaptive] = answer["contained"]
    assert answer["questionnaire"] == f"#{adaptive['id']}"
    assert adaptive["derivedFrom"] == [f"{BASE}/Questionnaire/rehabilitation"]
    assert [i["linkId"] for i in adaptive["item"]] == ["discipline", "body_region", "request_type"]
    assert answer["item"][0]["linkId"] == forms.CONTEXT_GROUP  # the payer's answers are kept


def test_questionnaire_errors_are_logged_without_their_text(api, client, demo):
    body = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "questionnaire", "valueCanonical": f"{BASE}/Questionnaire/imaging"},
            {
                "name": "errors",
                "resource": {
                    "resourceType": "OperationOutcome",
                    "issue": [
                        {"severity": "error", "code": "invalid", "diagnostics": "Patient Jane Doe: bad"}
                    ],
                },
            },
        ],
    }
    OperationOutcome.model_validate(_post(api, client, ERRORS, body))
    [event] = pas_api._audit(demo, "dtr.questionnaire_errors")
    assert event.detail["program"] == "imaging" and event.detail["codes"] == ["invalid"]
    assert "Jane" not in json.dumps(event.detail)


# --- a request completed through DTR is decided like the wizard's -------------------------------


def _package_input(raw: dict) -> dict:
    return {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "coverage", "resource": pb.entry(raw, "Coverage")},
            {"name": "order", "resource": pb.entry(raw, "ServiceRequest")},
        ],
    }


def _value(item: dict, value) -> dict:
    kind = item["type"]
    if kind == "choice":
        return {"valueCoding": {"code": value}}
    return {
        {"integer": "valueInteger", "decimal": "valueDecimal", "boolean": "valueBoolean"}.get(
            kind, "valueString"
        ): value
    }


def _filled_through_dtr(api, client, raw: dict) -> dict:
    """``raw`` with its QuestionnaireResponse replaced by the package's initial response, completed
    with the same answers typed by the served Questionnaire's items."""
    [bundle] = _bundles(_post(api, client, PACKAGE, _package_input(raw)))
    questionnaire = bundle["entry"][0]["resource"]
    response = copy.deepcopy(bundle["entry"][-1]["resource"])
    original = pb.entry(raw, "QuestionnaireResponse")
    given = {i["linkId"]: next(iter(i["answer"][0].values())) for i in original["item"]}
    by_link = {i["linkId"]: i for i in _items(questionnaire["item"])}
    for link, value in given.items():
        plain = value["code"] if isinstance(value, dict) else value
        response["item"].append({"linkId": link, "answer": [_value(by_link[link], plain)]})
    response["status"] = "completed"
    filled = copy.deepcopy(raw)
    for entry in filled["entry"]:
        if entry["resource"]["resourceType"] == "QuestionnaireResponse":
            entry["resource"] = response
    return filled


def _decisions(body: dict) -> tuple[str, list[str]]:
    response = pas_api._valid(body)
    return response["outcome"], [pas_api._action(item) for item in response["item"]]


@pytest.mark.parametrize(
    "example, members, expected",
    [
        ("imaging-approved", ("EVG100000012", "EVG100000016"), ("complete", ["A1"])),
        ("imaging-pended", ("EVG100000020", "EVG100000024"), ("queued", ["A4"])),
    ],
)
def test_a_request_completed_through_dtr_is_decided_like_the_wizards(
    api, client, demo, example, members, expected
):
    as_wizard = pb.for_member(pb.bundle(example), demo, members[0])
    through_dtr = _filled_through_dtr(api, client, pb.for_member(pb.bundle(example), demo, members[1]))
    assert (
        pb.entry(through_dtr, "QuestionnaireResponse")["questionnaire"] == f"{BASE}/Questionnaire/imaging|1"
    )
    assert set(parse_submit(through_dtr).program_answers) == {"imaging"}  # told by the served canonical
    assert _decisions(pas_api._submit(api, client, through_dtr)) == expected
    assert _decisions(pas_api._submit(api, client, as_wizard)) == expected


def test_the_capability_statement_says_how_questionnaires_are_pre_populated(api, demo):
    metadata = api.get("/fhir/metadata").json()
    assert (
        "http://hl7.org/fhir/us/davinci-dtr/CapabilityStatement/dtr-payer-service|2.0.1"
        in metadata["instantiates"]
    )
    [questionnaire] = [r for r in metadata["rest"][0]["resource"] if r["type"] == "Questionnaire"]
    assert {op["name"] for op in questionnaire["operation"]} == {
        "questionnaire-package",
        "next-question",
        "log-questionnaire-errors",
    }
    assert "FHIRPath" in questionnaire["documentation"] and "instead of CQL" in questionnaire["documentation"]
