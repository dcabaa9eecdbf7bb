"""The CRD service (CDS Hooks) end to end over HTTP: every hook request the Inferno CRD test kit sends
(copied unchanged into `tests/conformance/crd/hook-requests/`, discovered from the folder) is replayed
with a JWT signed by a registered EHR; variants (an imaging order that meets its guideline, one that
does not, auth failures, configuration options) are built in code.

The EHR is served in process (`httpx.MockTransport` handed to `services/crd/ehr_http`): its JWKS URL
and its FHIR server (`https://example/r4`, the one the files name) answer the resources the files
refer to (Patient/example, Practitioner/example, the Coverage search, ServiceRequest/example,
Encounter/example), mapped onto demo data: the patient is a demo Evergreen member, the practitioner
the demo ordering provider of Maple Street (NPI 1990000006). Nothing is downloaded.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fhir.resources.R4B import get_fhir_model_class
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app.models import (
    AuditEvent,
    CrdHookCall,
    GoldCardEvaluation,
    GoldCardExemption,
    HealthPlan,
    Member,
    Order,
    Provider,
)
from portal_app.services.crd import clients as crd_clients
from portal_app.services.crd import ehr_http
from portal_app.services.orders import OrderFilter, cancel_order, search_my_orders
from tests.conftest import BACKENDS
from tests.integration import pas_bundles as pb
from tests.integration import test_pas_api as pas_api
from tests.integration.order_helpers import actor_for

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

demo = pas_api.demo  # demo data, PUBLIC_URL https://precert.test

HOOK_REQUESTS = Path(__file__).resolve().parents[1] / "conformance" / "crd" / "hook-requests"
FILES = sorted(HOOK_REQUESTS.glob("*.json"))
EHR_ISS = "https://ehr.example.test"
JWKS_URL = "https://ehr.example.test/.well-known/jwks.json"
FHIR = "https://example/r4"
MEMBER = "EVG100000016"
ORDERING_NPI = pb.ORDERING_NPI  # Avery Demoson, Maple Street Medical Group
IMAGING_NPI = pb.IMAGING_FACILITY_NPI  # in network for Evergreen
SERVICES = {
    "order-sign": "order-sign-crd",
    "order-select": "order-select-crd",
    "order-dispatch": "order-dispatch-crd",
    "appointment-book": "appointment-book-crd",
    "encounter-start": "encounter-start-crd",
    "encounter-discharge": "encounter-discharge-crd",
}
PRIMARY = ("order-sign", "order-dispatch", "appointment-book")
CRD = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


class FakeEhr:
    """The EHR's JWKS and FHIR server, in process; counts the FHIR reads."""

    def __init__(self, member: Member, key: RSAKey):
        self.member, self.key, self.reads = member, key, 0
        self.extra: dict[str, dict] = {}
        self.asked: list[str] = []  # every URL Precert requested, JWKS included
        self.has_coverage = True

    def resources(self) -> dict[str, dict]:
        m = self.member
        return {
            "Patient/example": {
                "resourceType": "Patient",
                "id": "example",
                "identifier": [
                    {"system": "https://fhir.precert.invalid/sid/member-number", "value": m.member_number}
                ],
                "name": [{"family": m.last_name, "given": [m.first_name]}],
                "birthDate": m.date_of_birth.isoformat(),
            },
            "Practitioner/example": {
                "resourceType": "Practitioner",
                "id": "example",
                "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": ORDERING_NPI}],
            },
            "ServiceRequest/example": {
                "resourceType": "ServiceRequest",
                "id": "example",
                "status": "active",
                "intent": "order",
                "subject": {"reference": "Patient/example"},
                "code": {"coding": [{"system": "http://snomed.info/sct", "code": "73761001"}]},
            },
            "Encounter/example": {
                "resourceType": "Encounter",
                "id": "example",
                "status": "in-progress",
                "class": {"code": "AMB"},
                "subject": {"reference": "Patient/example"},
            },
            **self.extra,
        }

    def coverage_bundle(self) -> dict:
        if not self.has_coverage:
            return {"resourceType": "Bundle", "type": "searchset", "total": 0}
        coverage = {
            "resourceType": "Coverage",
            "id": "cov-example",
            "status": "active",
            "subscriberId": self.member.member_number,
            "beneficiary": {"reference": "Patient/example"},
            "payor": [{"display": "Evergreen Mutual Health (demo)"}],
        }
        return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": coverage}]}

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.asked.append(url)
        if url == JWKS_URL:
            return httpx.Response(200, json=KeySet([self.key]).as_dict(private=False))
        assert url.startswith(f"{FHIR}/"), url  # only the registered FHIR server is read
        assert request.headers["authorization"] == "Bearer SAMPLE_TOKEN"  # the file's fhirAuthorization
        self.reads += 1
        path = url.removeprefix(f"{FHIR}/")
        if path.startswith("Coverage?"):
            return httpx.Response(200, json=self.coverage_bundle())
        found = self.resources().get(path)
        return httpx.Response(200, json=found) if found else httpx.Response(404, json={})


@pytest.fixture
def ehr(demo) -> Iterator[FakeEhr]:
    key = RSAKey.generate_key(2048, parameters={"kid": "ehr-1", "use": "sig"})
    member = demo.exec(select(Member).where(Member.member_number == MEMBER)).one()
    fake = FakeEhr(member, key)
    crd_clients.register_crd_client(
        demo,
        actor=None,
        client_id=EHR_ISS,
        name="Example EHR",
        jwks_url=JWKS_URL,
        npis=(ORDERING_NPI,),
        fhir_servers=(FHIR,),
    )
    crd_clients.forget_keys()
    ehr_http.use_transport(httpx.MockTransport(fake.handle))
    yield fake
    ehr_http.use_transport(None)
    crd_clients.forget_keys()


@pytest.fixture
def api() -> Iterator[TestClient]:
    from portal_app.api.cds_hooks_routes import CDS_HOOKS_ROUTES

    with TestClient(Starlette(routes=CDS_HOOKS_ROUTES), base_url=pb.PORTAL) as client:
        yield client


def _jwt(service_id: str, key: RSAKey, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": EHR_ISS,
        "aud": f"{pb.PORTAL}/cds-services/{service_id}",
        "exp": now + 240,
        "iat": now,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode({"alg": "RS384", "kid": key.kid, "typ": "JWT"}, payload, key, algorithms=["RS384"])


def _call(api, ehr: FakeEhr, hook: dict, *, token: str | None = None, status: int = 200) -> dict:
    service_id = SERVICES[hook["hook"]]
    answer = api.post(
        f"/cds-services/{service_id}",
        json=hook,
        headers={"Authorization": f"Bearer {token or _jwt(service_id, ehr.key)}"},
    )
    assert answer.status_code == status, answer.text
    return answer.json()


def _coverage(action: dict) -> dict[str, Any]:
    """The coverage-information extension of an update action, as {url: value}."""
    [info] = [e for e in action["resource"].get("extension", []) if e["url"] == CRD]
    values: dict[str, Any] = {}
    for part in info["extension"]:
        value = next(v for k, v in part.items() if k.startswith("value") or k == "extension")
        values.setdefault(part["url"], value)
    return values


# ext-coverage-information (CRD 2.0.1): sub-extension -> (min, max, value type); "detail" nests.
COVERAGE_PARTS = {
    "coverage": (1, 1, "valueReference"),
    "covered": (1, 1, "valueCode"),
    "pa-needed": (0, 1, "valueCode"),
    "doc-needed": (0, None, "valueCode"),
    "doc-purpose": (0, None, "valueCode"),
    "info-needed": (0, None, "valueCode"),
    "billingCode": (0, None, "valueCoding"),
    "reason": (0, 1, "valueCodeableConcept"),
    "detail": (0, None, "extension"),
    "dependency": (0, None, "valueReference"),
    "questionnaire": (0, None, "valueCanonical"),
    "date": (1, 1, "valueDate"),
    "coverage-assertion-id": (1, 1, "valueString"),
    "satisfied-pa-id": (0, 1, "valueString"),
    "contact": (0, None, "valueContactPoint"),
}


def _assert_extension_shape(resource: dict, *, whole_resource: bool) -> None:
    """One coverage-information extension, valid FHIR (R4B model), whose parts are the profile's, each
    with its one value of the profile's type, within its cardinality; and, when ``whole_resource``,
    the updated resource valid FHIR too."""
    if whole_resource:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    [info] = [e for e in resource.get("extension", []) if e["url"] == CRD]
    get_fhir_model_class("Extension").model_validate(info)
    assert set(info) == {"url", "extension"}
    counts: dict[str, int] = {}
    for part in info["extension"]:
        assert part["url"] in COVERAGE_PARTS, part["url"]
        value_keys = [k for k in part if k != "url"]
        assert value_keys == [COVERAGE_PARTS[part["url"]][2]], part
        counts[part["url"]] = counts.get(part["url"], 0) + 1
    for url, (least, most, _) in COVERAGE_PARTS.items():
        assert counts.get(url, 0) >= least, f"{url} is required"
        assert most is None or counts.get(url, 0) <= most, f"{url} at most {most}"


def _assert_valid_coverage(body: dict, *, whole_resource: bool = True) -> list[dict[str, Any]]:
    """Each system action is an update carrying one valid coverage-information extension, for the
    Coverage the EHR holds."""
    assert body["systemActions"], "a primary hook answers with coverage information"
    found = []
    for action in body["systemActions"]:
        assert action["type"] == "update" and action["resource"]["resourceType"]
        _assert_extension_shape(action["resource"], whole_resource=whole_resource)
        info = _coverage(action)
        assert info["coverage"] == {"reference": "Coverage/cov-example"}
        assert info["covered"] in ("covered", "not-covered", "conditional")
        assert info["pa-needed"] in ("no-auth", "auth-needed", "satisfied", "performpa", "conditional")
        assert info["coverage-assertion-id"] and date.fromisoformat(info["date"])
        assert ("satisfied-pa-id" in info) == (info["pa-needed"] == "satisfied")
        found.append(info)
    return found


def _imaging_order(*, answered: bool, order_id: str = "mri-1") -> dict:
    """A draft lumbar MRI (CPT 72148) at an in-network imaging centre, two weeks ahead; with the
    imaging questionnaire's answers (contained QuestionnaireResponse) when ``answered``."""
    approved = pb.bundle("imaging-approved")
    answers = copy.deepcopy(pb.entry(approved, "QuestionnaireResponse"))
    answers["id"] = "dtr"
    order: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "72148"}]},
        "subject": {"reference": "Patient/example"},
        "occurrenceDateTime": (date.today() + timedelta(days=14)).isoformat(),
        "requester": {"reference": "Practitioner/example"},
        "performer": [{"reference": "#site"}],
        "reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M54.50"}]}],
        "contained": [
            {
                "resourceType": "Organization",
                "id": "site",
                "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": IMAGING_NPI}],
            }
        ],
    }
    if answered:
        order["contained"].append(answers)
        order["supportingInfo"] = [{"reference": "#dtr"}]
    return order


def _order_sign(*orders: dict) -> dict:
    hook = _load(HOOK_REQUESTS / "order_sign_hook_request.json")
    hook["hookInstance"] = str(uuid.uuid4())
    hook["context"]["draftOrders"] = {"resourceType": "Bundle", "entry": [{"resource": o} for o in orders]}
    return hook


# --- the files, as sent ----------------------------------------------------------------------------


def test_the_folder_holds_the_inferno_requests(empty_db_url):
    assert {_load(f)["hook"] for f in FILES} >= set(SERVICES)


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_every_hook_request_is_answered(api, ehr, demo, path):
    hook = _load(path)
    if hook["hook"] not in SERVICES:  # e.g. fancy-structure: no service of Precert answers that hook
        answer = api.post(
            f"/cds-services/{hook['hook']}",
            json=hook,
            headers={"Authorization": f"Bearer {_jwt('x', ehr.key)}"},
        )
        assert answer.status_code == 404
        return
    body = _call(api, ehr, hook)
    assert isinstance(body["cards"], list)
    if hook["hook"] in PRIMARY:
        # The files' own resources are not all valid R4 (an Appointment.end of "09:10:00:00", a
        # NutritionOrder without intent) and go back as sent: only the extension is validated.
        infos = _assert_valid_coverage(body, whole_resource=False)
        assert {i["coverage"]["reference"] for i in infos} == {"Coverage/cov-example"}
        # Same coverage in one answer: one coverage-assertion id (CRD requirement 265).
        assert len({i["coverage-assertion-id"] for i in infos}) == 1
    assert ehr.reads > 0  # no prefetch in the files: the patient and coverage were read from the EHR
    call = demo.exec(select(CrdHookCall).order_by(CrdHookCall.id.desc())).first()  # type: ignore[union-attr]
    assert call is not None and call.status_code == 200 and call.hook_instance == hook["hookInstance"]


def test_the_conformance_orders_are_not_managed(api, ehr):
    """The files' orders (RxNorm, SNOMED) carry no CPT/HCPCS code: covered, no prior authorization."""
    body = _call(api, ehr, _load(HOOK_REQUESTS / "order_sign_hook_request.json"))
    assert [_coverage(a)["pa-needed"] for a in body["systemActions"]] == ["no-auth", "no-auth"]
    assert body["cards"] == []


def test_discovery_lists_a_service_per_hook_with_configuration_options(api, demo):
    services = api.get("/cds-services").json()["services"]
    assert {s["hook"] for s in services} == set(SERVICES)
    for service in services:
        options = service["extension"]["davinci-crd.configuration-options"]
        # CRD card-type codes only (CRD 115, 121)
        assert {o["code"] for o in options} == {"coverage-info", "guideline"}
        assert all(o["type"] == "boolean" and o["default"] is True and o["name"] for o in options)


# --- deciding orders -------------------------------------------------------------------------------


def test_an_order_meeting_the_guideline_is_authorized_for_the_practice(api, ehr, demo):
    body = _call(api, ehr, _order_sign(_imaging_order(answered=True)))
    [info] = _assert_valid_coverage(body)
    assert info["pa-needed"] == "satisfied" and "valid" in info["reason"]["text"]
    number = info["satisfied-pa-id"]
    staff = actor_for(demo, "ordering")  # Maple Street staff: the practice of the ordering NPI
    rows, _ = search_my_orders(demo, actor=staff, order_filter=OrderFilter(order_number=number))
    assert [r.order_number for r in rows] == [number]
    again = _call(api, ehr, _order_sign(_imaging_order(answered=True)))  # the same EHR order again
    [repeat] = _assert_valid_coverage(again)
    assert (
        repeat["satisfied-pa-id"] == number
        and repeat["coverage-assertion-id"] == info["coverage-assertion-id"]
    )
    assert len(demo.exec(select(Order).where(Order.order_number == number)).all()) == 1
    cancel_order(demo, actor=staff, order_number=number, entered_in_error=False, reason="Not needed")
    order = demo.exec(select(Order).where(Order.order_number == number)).one()
    demo.refresh(order)
    assert order.status == "voluntarily_cancelled"
    [audited] = demo.exec(select(AuditEvent).where(AuditEvent.action == "crd.hook_called")).all()[:1]
    assert number in json.dumps(audited.detail) and MEMBER not in json.dumps(audited.detail)


def test_an_order_without_the_answers_needs_authorization_with_a_questionnaire(api, ehr, demo):
    before = len(demo.exec(select(Order)).all())
    body = _call(api, ehr, _order_sign(_imaging_order(answered=False, order_id="mri-2")))
    [info] = _assert_valid_coverage(body)
    assert info["pa-needed"] == "auth-needed" and info["doc-needed"] == "clinical"
    assert info["questionnaire"] == f"{pb.PORTAL}/fhir/Questionnaire/imaging"
    [card, reference] = body["cards"]
    assert card["summary"].startswith("Prior authorization needed") and "questionnaire" in card["detail"]
    assert card["detail"].startswith("For ServiceRequest/mri-2 (72148)")  # CRD 140: which order
    assert reference["links"][0]["type"] == "absolute"
    assert len(demo.exec(select(Order)).all()) == before  # nothing entered for an order not met


def test_order_select_never_authorizes(api, ehr, demo):
    hook = _load(HOOK_REQUESTS / "order_select_hook_request.json")
    hook["context"]["draftOrders"]["entry"].append(
        {"resource": _imaging_order(answered=True, order_id="sel")}
    )
    hook["context"]["selections"] = ["ServiceRequest/sel"]
    body = _call(api, ehr, hook)
    [info] = [_coverage(a) for a in body["systemActions"]]
    assert info["pa-needed"] == "auth-needed"
    assert "doc-needed" not in info and "questionnaire" not in info  # CRD 167: not on a secondary hook


def test_configuration_options_are_honoured(api, ehr):
    hook = _order_sign(_imaging_order(answered=False, order_id="mri-3"))
    hook["extension"] = {"davinci-crd.configuration": {"instructions": False, "guideline": False, "x": 1}}
    body = _call(api, ehr, hook)
    assert body["cards"] == [] and body["systemActions"]
    hook["extension"] = {"davinci-crd.configuration": {"coverage-info": False, "instructions": "no"}}
    body = _call(api, ehr, hook | {"hookInstance": str(uuid.uuid4())})
    # coverage-info off: no system action and no Instructions card (a coverage-info card, CRD 116);
    # the non-boolean is ignored
    assert "systemActions" not in body
    assert [c["source"]["topic"]["code"] for c in body["cards"]] == ["guideline"]


def test_a_configuration_that_makes_no_sense_is_logged_without_phi(api, ehr, demo, caplog):
    """CRD 119: unknown options and non-boolean values are ignored, logged and kept in the audit."""
    hook = _order_sign(_imaging_order(answered=False, order_id="mri-7"))
    hook["extension"] = {"davinci-crd.configuration": {"coverage-info": "no", MEMBER: True}}
    with caplog.at_level("WARNING", logger="portal_app.services.crd.service"):
        body = _call(api, ehr, hook)
    assert body["systemActions"] and len(body["cards"]) == 2  # the defaults
    [logged] = [r.getMessage() for r in caplog.records if "configuration" in r.getMessage()]
    assert EHR_ISS in logged and "'coverage-info' is a str, not a boolean" in logged
    assert "1 unknown option" in logged
    assert MEMBER not in logged and ehr.member.last_name not in logged
    event = demo.exec(select(AuditEvent).where(AuditEvent.action == "crd.hook_called")).one()
    assert len(event.detail["configuration_ignored"]) == 2
    hook["extension"] = {"davinci-crd.configuration": {"coverage-info": False, "guideline": False}}
    caplog.clear()
    with caplog.at_level("WARNING", logger="portal_app.services.crd.service"):
        body = _call(api, ehr, hook | {"hookInstance": str(uuid.uuid4())})
    assert body == {"cards": []}
    assert any("every card type is switched off" in r.getMessage() for r in caplog.records)


def test_unchanged_coverage_is_not_sent_again(api, ehr):
    order = _imaging_order(answered=False, order_id="mri-4")
    body = _call(api, ehr, _order_sign(order))
    updated = body["systemActions"][0]["resource"]
    again = _call(api, ehr, _order_sign(updated))
    assert "systemActions" not in again  # nothing new, and no empty list (CDS Hooks: no empty elements)
    assert again["cards"] == body["cards"]


def test_prefetch_is_used_before_the_ehr_is_asked(api, ehr):
    hook = _order_sign(_imaging_order(answered=False, order_id="mri-5"))
    resources = ehr.resources()
    hook["prefetch"] = {
        "patient": resources["Patient/example"],
        "user": resources["Practitioner/example"],
        "coverage": ehr.coverage_bundle(),
    }
    del hook["fhirAuthorization"]
    _assert_valid_coverage(_call(api, ehr, hook))
    assert ehr.reads == 0


def test_missing_data_without_access_is_a_412(api, ehr):
    hook = _order_sign(_imaging_order(answered=False))
    del hook["fhirAuthorization"]
    _call(api, ehr, hook, status=412)


# --- authentication --------------------------------------------------------------------------------


def _refused(api, ehr, demo, token: str, reason: str) -> None:
    hook = _order_sign(_imaging_order(answered=True, order_id="auth"))
    body = _call(api, ehr, hook, token=token, status=401)
    assert reason in body["error"]
    call = demo.exec(select(CrdHookCall).order_by(CrdHookCall.id.desc())).first()  # type: ignore[union-attr]
    assert call is not None and call.status_code == 401 and call.request == {}


def test_a_bad_signature_is_refused(api, ehr, demo):
    other = RSAKey.generate_key(2048, parameters={"kid": "ehr-1"})
    _refused(api, ehr, demo, _jwt("order-sign-crd", other), "signature")


def test_a_wrong_audience_is_refused(api, ehr, demo):
    _refused(api, ehr, demo, _jwt("order-sign-crd", ehr.key, aud=f"{pb.PORTAL}/cds-services/other"), "aud")


def test_an_unknown_client_is_refused(api, ehr, demo):
    _refused(api, ehr, demo, _jwt("order-sign-crd", ehr.key, iss="https://stranger.test"), "registered")


def test_an_expired_token_is_refused(api, ehr, demo):
    past = int(time.time()) - 600
    _refused(api, ehr, demo, _jwt("order-sign-crd", ehr.key, exp=past, iat=past - 60), "expired")


def test_a_replayed_token_is_refused(api, ehr, demo):
    token = _jwt("order-sign-crd", ehr.key)
    _call(api, ehr, _order_sign(_imaging_order(answered=False)), token=token)
    _refused(api, ehr, demo, token, "replayed")


def test_a_body_that_is_not_json_is_a_400_and_one_that_is_no_hook_request_a_422(api, ehr):
    headers = {
        "Authorization": f"Bearer {_jwt('order-sign-crd', ehr.key)}",
        "Content-Type": "application/json",
    }
    assert api.post("/cds-services/order-sign-crd", content=b"{not json", headers=headers).status_code == 400
    headers = {"Authorization": f"Bearer {_jwt('order-sign-crd', ehr.key)}"}
    answer = api.post("/cds-services/order-sign-crd", json={"hook": "order-select"}, headers=headers)
    assert answer.status_code == 422 and "order-sign" in answer.json()["error"]


def test_no_token_is_refused(api, ehr):
    answer = api.post("/cds-services/order-sign-crd", json=_order_sign())
    assert answer.status_code == 401 and "Bearer" in answer.headers["www-authenticate"]


def test_an_npi_the_client_may_not_act_for_gets_no_authorization(api, ehr, demo):
    order = _imaging_order(answered=True, order_id="mri-6")
    order["requester"] = {"reference": "#other"}
    order["contained"].append(
        {
            "resourceType": "Practitioner",
            "id": "other",
            "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}],
        }
    )
    [info] = _assert_valid_coverage(_call(api, ehr, _order_sign(order)))
    assert info["pa-needed"] == "auth-needed"


def _gold_card(demo, code: str = "72148") -> None:
    """An exemption in force for the ordering provider and ``code`` under Evergreen's commercial
    gold-card rule set (reference/plan_compliance_rules.csv: EVG commercial applies TX_4201N)."""
    plan = demo.exec(select(HealthPlan).where(HealthPlan.code == "EVG")).one()
    provider = demo.exec(select(Provider).where(Provider.npi == ORDERING_NPI)).one()
    today = date.today()
    evaluation = GoldCardEvaluation(
        plan_id=plan.id,
        rule_set="TX_4201N",
        period=f"{today:%Y-%m}",
        lookback_from=today - timedelta(days=180),
        lookback_to=today,
        evaluated=1,
        exempt=1,
    )
    demo.add(evaluation)
    demo.flush()
    demo.add(
        GoldCardExemption(
            evaluation_id=evaluation.id,
            plan_id=plan.id,
            provider_id=provider.id,
            service_code=code,
            rule_set="TX_4201N",
            requests=30,
            approved=29,
            percent=96.7,
            lookback_from=evaluation.lookback_from,
            lookback_to=today,
            effective_from=today - timedelta(days=1),
        )
    )
    demo.commit()


def test_a_gold_carded_provider_gets_the_authorization_where_the_rules_would_pend(api, ehr, demo):
    assert ehr.member.line_of_business == "commercial_hmo_pos"
    order = _imaging_order(answered=True, order_id="mri-gold")
    [answers] = [c for c in order["contained"] if c["resourceType"] == "QuestionnaireResponse"]
    for item in answers["item"]:
        if item["linkId"] == "weeks_conservative_care":
            item["answer"] = [{"valueInteger": 1}]  # too short a trial: the rules engine would pend
    pended = _imaging_order(answered=True, order_id="mri-not-gold")
    pended["contained"] = [
        c if c["resourceType"] != "QuestionnaireResponse" else answers for c in pended["contained"]
    ]
    [before] = _assert_valid_coverage(_call(api, ehr, _order_sign(pended)))
    assert before["pa-needed"] == "auth-needed"
    _gold_card(demo)
    [info] = _assert_valid_coverage(_call(api, ehr, _order_sign(order)))
    assert info["pa-needed"] == "satisfied" and "gold card" in info["reason"]["text"]


def test_an_appointment_based_on_a_met_order_is_authorized(api, ehr, demo):
    """appointment-book: the ServiceRequest the appointment is based on (read from the EHR) is decided
    and authorized; the coverage information goes on the Appointment."""
    order = _imaging_order(answered=True, order_id="mri-apt")
    ehr.extra["ServiceRequest/mri-apt"] = order
    hook = _load(HOOK_REQUESTS / "appointment_book_hook_request.json")
    first = hook["context"]["appointments"]["entry"][0]["resource"]
    first["basedOn"] = [{"reference": "ServiceRequest/mri-apt"}]
    infos = _assert_valid_coverage(_call(api, ehr, hook), whole_resource=False)  # the file's Appointments
    assert [i["pa-needed"] for i in infos] == ["satisfied", "no-auth"]
    staff = actor_for(demo, "ordering")
    rows, _ = search_my_orders(
        demo, actor=staff, order_filter=OrderFilter(order_number=infos[0]["satisfied-pa-id"])
    )
    assert len(rows) == 1


def test_a_rotated_key_is_fetched_again_and_an_unreachable_jwks_refuses(api, ehr, demo):
    _call(api, ehr, _order_sign())  # the first key, now cached
    ehr.key = RSAKey.generate_key(2048, parameters={"kid": "ehr-2", "use": "sig"})  # the EHR rotates
    _call(api, ehr, _order_sign())  # a kid not in the cache: the JWKS is read again
    crd_clients.forget_keys()
    ehr_http.use_transport(httpx.MockTransport(lambda request: httpx.Response(503)))
    _refused(api, ehr, demo, _jwt("order-sign-crd", ehr.key), "JWKS")


def test_a_notification_only_code_needs_no_authorization(api, ehr, demo):
    """Coronary calcium scoring (CPT 75571) is notification only for Evergreen (imaging_codes.csv)."""
    order = _imaging_order(answered=False, order_id="calcium")
    order["code"]["coding"][0]["code"] = "75571"
    [info] = _assert_valid_coverage(_call(api, ehr, _order_sign(order)))
    assert info["pa-needed"] == "no-auth" and "notification only" in info["reason"]["text"]


# --- the EHR's FHIR server: only the registered one is read (no SSRF) -----------------------------


@pytest.mark.parametrize(
    "server",
    [
        "http://169.254.169.254/latest/meta-data",
        "https://example/r4-other",
        "https://example.evil.test/r4",
        "https://precert.test/fhir",
        "https://user@example/r4",
    ],
)
def test_an_unregistered_fhir_server_is_never_fetched(api, ehr, demo, server):
    hook = _order_sign(_imaging_order(answered=False, order_id="ssrf"))
    hook["fhirServer"] = server
    body = _call(api, ehr, hook, status=412)
    assert "not a FHIR server registered for this client" in body["error"]
    assert [url for url in ehr.asked if url != JWKS_URL] == []  # nothing requested, token not sent
    call = demo.exec(select(CrdHookCall).order_by(CrdHookCall.id.desc())).first()  # type: ignore[union-attr]
    assert call is not None and call.status_code == 412


def test_an_unregistered_fhir_server_still_gets_an_answer_from_prefetch(api, ehr):
    hook = _order_sign(_imaging_order(answered=False, order_id="mri-8"))
    resources = ehr.resources()
    hook["prefetch"] = {
        "patient": resources["Patient/example"],
        "user": resources["Practitioner/example"],
        "coverage": ehr.coverage_bundle(),
    }
    hook["fhirServer"] = "https://internal.invalid/admin"
    [info] = _assert_valid_coverage(_call(api, ehr, hook))
    assert info["pa-needed"] == "auth-needed"
    assert [url for url in ehr.asked if url != JWKS_URL] == []


def test_the_registered_fhir_server_matches_in_any_spelling_of_its_base(api, ehr):
    hook = _order_sign(_imaging_order(answered=False, order_id="mri-9"))
    hook["fhirServer"] = "HTTPS://Example:443/r4/"
    _assert_valid_coverage(_call(api, ehr, hook))
    assert ehr.reads > 0


def test_a_client_without_registered_fhir_servers_is_answered_from_prefetch_only(api, ehr, demo):
    crd_clients.set_fhir_servers(demo, actor=None, client_id=EHR_ISS, fhir_servers=())
    _call(api, ehr, _order_sign(_imaging_order(answered=False)), status=412)
    assert ehr.reads == 0


# --- no Coverage in the EHR ----------------------------------------------------------------------


def test_without_a_coverage_no_coverage_information_but_a_card_saying_why(api, ehr, demo):
    """The coverage-information extension needs its Coverage (1..1): none is asserted; a coverage-info
    Instructions card says coverage could not be determined; nothing is authorized."""
    ehr.has_coverage = False
    before = len(demo.exec(select(Order)).all())
    body = _call(api, ehr, _order_sign(_imaging_order(answered=True, order_id="mri-nocov")))
    assert "systemActions" not in body
    [card] = body["cards"]
    assert card["summary"] == "Coverage requirements could not be determined"
    assert card["source"]["topic"]["code"] == "coverage-info"
    assert "ServiceRequest/mri-nocov" in card["detail"]
    assert len(demo.exec(select(Order)).all()) == before
    hook = _order_sign(_imaging_order(answered=True, order_id="mri-nocov"))
    hook["extension"] = {"davinci-crd.configuration": {"coverage-info": False}}
    assert _call(api, ehr, hook) == {"cards": []}


# --- CORS (CDS Hooks 2.0, row 208) -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/cds-services", "/cds-services/order-sign-crd"])
def test_a_cors_preflight_is_answered(api, empty_db_url, path):
    answer = api.options(
        path,
        headers={
            "Origin": "https://ehr-app.example.test",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "access-control-allow-credentials" not in answer.headers  # no cookies: none needed


def test_answers_carry_the_cors_origin(api, ehr):
    origin = {"Origin": "https://ehr-app.example.test"}
    assert api.get("/cds-services", headers=origin).headers["access-control-allow-origin"] == "*"
    refused = api.post("/cds-services/order-sign-crd", json=_order_sign(), headers=origin)
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == "*"
    assert "WWW-Authenticate" in refused.headers["access-control-expose-headers"]
    service_id = "order-sign-crd"
    answered = api.post(
        f"/cds-services/{service_id}",
        json=_order_sign(),
        headers=origin | {"Authorization": f"Bearer {_jwt(service_id, ehr.key)}"},
    )
    assert answered.status_code == 200 and answered.headers["access-control-allow-origin"] == "*"
