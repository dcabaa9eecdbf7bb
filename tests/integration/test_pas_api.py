"""The Da Vinci PAS API end to end over HTTP: a token from a signed client assertion, `$submit`
mapped onto the wizard's services, reviewers deciding, a subscriber told, updates, `$inquire`.

The API routes run in a Starlette app driven with TestClient (as the portal mounts them); reviewers
act through the review services. A subscriber is a small app served by uvicorn on loopback. The
example Bundles are in `pas_bundles/`; every response Bundle is checked against the FHIR R4B models
of `fhir.resources`.
"""

from __future__ import annotations

import base64
import copy
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.parameters import Parameters
from sqlmodel import func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from portal_app import db
from portal_app.domain.enums import AuditOutcome, Program
from portal_app.domain.programs import PROGRAMS
from portal_app.models import (
    ApiAccessToken,
    AuditEvent,
    Determination,
    Document,
    Order,
    OrderLine,
    PasNotification,
    PasSubmission,
    ReviewTask,
    User,
)
from portal_app.services import review, subscriptions
from portal_app.services.demo_data import load_demo_data
from portal_app.services.orders import OrderFilter, search_my_orders
from portal_app.settings import get_settings
from tests.conftest import BACKENDS
from tests.integration import pas_bundles as pb
from tests.integration.order_helpers import actor_for

pytestmark = pytest.mark.parametrize("empty_db_url", BACKENDS, indirect=True)

SUBMIT, INQUIRE = "/fhir/Claim/$submit", "/fhir/Claim/$inquire"
X12_306 = "https://codesystem.x12.org/005010/306"
MEMBERS = [f"EVG1000000{n:02d}" for n in range(12, 100, 4)]


# --- fixtures --------------------------------------------------------------------------------


def _reset_caches() -> None:
    get_settings.cache_clear()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()


@pytest.fixture(scope="module")
def receiver() -> Iterator[pb.Receiver]:
    yield from pb.serve_receiver()


@pytest.fixture
def demo(session, demo_data, db_url, monkeypatch, tmp_path):
    """Demo data; the portal's routes on the same database at https://precert.test."""
    monkeypatch.setenv("DB_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "a-secret-key-for-the-pas-tests")
    monkeypatch.setenv("PUBLIC_URL", pb.PORTAL)
    _reset_caches()
    load_demo_data(session)
    for task in session.exec(select(ReviewTask)).all():  # the demo's own cases set aside
        task.status = "done"
        session.add(task)
    session.commit()
    yield session
    _reset_caches()


@pytest.fixture
def api() -> Iterator[TestClient]:
    from portal_app.api.fhir import FHIR_ROUTES

    with TestClient(Starlette(routes=FHIR_ROUTES), base_url=pb.PORTAL) as client:
        yield client


@pytest.fixture
def maple(demo, receiver) -> pb.Client:
    """An EHR of Maple Street Medical Group (tax ID 90-1000001), RS384, notifying the receiver."""
    return pb.register(demo, notify=(f"{receiver.url}/",))


@pytest.fixture
def harbor(demo) -> pb.Client:
    """An EHR of Harbor View Specialists (90-1000002), ES384."""
    return pb.register(demo, tax_id=pb.HARBOR_TAX_ID, alg="ES384")


# --- helpers ---------------------------------------------------------------------------------


def _submit(api, client: pb.Client, raw: dict, status: int = 200) -> dict:
    answer = api.post(SUBMIT, json=raw, headers=client.headers(api))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    return answer.json()


def _valid(body: dict) -> dict:
    """The response is a valid FHIR Bundle whose first entry is a ClaimResponse."""
    Bundle.model_validate(body)
    assert body["type"] == "collection" and body["entry"][0]["resource"]["resourceType"] == "ClaimResponse"
    return body["entry"][0]["resource"]


def _action(item: dict) -> str:
    [adjudication] = item["adjudication"]
    [review_action] = [e for e in adjudication["extension"] if e["url"].endswith("extension-reviewAction")]
    [code] = [e for e in review_action["extension"] if e["url"].endswith("extension-reviewActionCode")]
    [coding] = code["valueCodeableConcept"]["coding"]
    assert coding["system"] == X12_306
    return coding["code"]


def _item_extension(item: dict, name: str) -> dict | None:
    return next((e for e in item.get("extension", []) if e["url"].endswith(name)), None)


def _order(session, number: str) -> Order:
    order = session.exec(select(Order).where(Order.order_number == number)).one()
    session.refresh(order)
    return order


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _audit(session, action: str) -> list[AuditEvent]:
    return session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def _inquiry_bundles(body: dict) -> list[dict]:
    """PAS 2.2 `$inquire`: a Parameters of 0..* inquiry-response Bundles (`return`)."""
    assert body["resourceType"] == "Parameters", body
    Parameters.model_validate(body)
    return [parameter["resource"] for parameter in body.get("parameter", []) if parameter["name"] == "return"]


def _pended(api, session, client, member: str, **changes) -> tuple[dict, str]:
    raw = pb.for_member(pb.bundle("imaging-pended"), session, member, **changes)
    response = _valid(_submit(api, client, raw))
    assert response["outcome"] == "queued" and _action(response["item"][0]) == "A4"
    return raw, response["preAuthRef"]


def _to_physician_with_peer_to_peer(session, number: str) -> None:
    nurse, physician = actor_for(session, "nurse"), actor_for(session, "physician")
    review.escalate(
        session,
        actor=nurse,
        order_number=number,
        version=_order(session, number).version,
        note="Conservative care not tried; physician review.",
    )
    start = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    review.offer_peer_to_peer(session, actor=physician, order_number=number, slots=[start])


def _not_met_criterion(session, number: str) -> str:
    view = review.open_case(session, actor=actor_for(session, "physician"), order_number=number)
    return next(cid for cid, _text, _citation, met in view.lines[0].criteria if met == "not met")


def _inquiry(raw: dict, *, npi: str) -> dict:
    """A PAS inquiry Bundle for the member of ``raw``, from a provider with ``npi``."""
    inquiry = copy.deepcopy(raw)
    claim = pb.claim(inquiry)
    claim["identifier"] = [{"system": "urn:trnorg:inquiry", "value": f"INQ-{time.monotonic_ns()}"}]
    claim["meta"] = {"profile": [f"{pb.PAS}/profile-claim-inquiry"]}
    for key in ("supportingInfo", "careTeam", "diagnosis"):
        claim.pop(key, None)
    claim.pop("item")
    keep = {
        claim["patient"]["reference"],
        claim["insurer"]["reference"],
        claim["provider"]["reference"],
        claim["insurance"][0]["coverage"]["reference"],
    }
    inquiry["entry"] = [inquiry["entry"][0]] + [e for e in inquiry["entry"][1:] if e["fullUrl"] in keep]
    for entry in inquiry["entry"]:
        if entry["fullUrl"] == claim["provider"]["reference"]:
            entry["resource"]["identifier"] = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": npi}]
    return inquiry


# --- approved at once ----------------------------------------------------------------------


def test_an_imaging_request_meeting_the_guideline_is_approved_at_once(demo, api, maple):
    raw = pb.for_member(pb.bundle("imaging-approved"), demo, MEMBERS[0])
    started = time.perf_counter()
    body = _submit(api, maple, raw)
    assert time.perf_counter() - started < 15  # PAS: an answer within 15 seconds
    response = _valid(body)

    order = _order(demo, response["preAuthRef"])
    line = demo.exec(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    decision = demo.exec(select(Determination).where(Determination.order_line_id == line.id)).one()
    assert (order.status, order.program, line.code, line.decision) == (
        "authorized",
        "imaging",
        "72148",
        "authorized",
    )
    assert (response["outcome"], response["disposition"], response["use"]) == (
        "complete",
        "Authorized",
        "preauthorization",
    )
    [item] = response["item"]
    assert item["itemSequence"] == 1 and _action(item) == "A1"
    window = {"start": decision.valid_from.isoformat(), "end": decision.valid_until.isoformat()}
    assert response["preAuthPeriod"] == window == _item_extension(item, "itemPreAuthPeriod")["valuePeriod"]
    assert decision.valid_from == pb.service_date()
    assert (
        _item_extension(item, "itemTraceNumber")["valueIdentifier"]
        == pb.claim(raw)["item"][0]["extension"][0]["valueIdentifier"]
    )
    assert response["request"]["identifier"] == pb.claim_identifier(raw)
    assert response["patient"]["reference"] == pb.claim(raw)["patient"]["reference"]  # echoed fullUrls
    assert response["processNote"][0]["text"].startswith("Item 1 (72148):")
    assert body["entry"][1]["fullUrl"] == pb.claim(raw)["patient"]["reference"]

    # The wizard's services did the work, as the client's service user, audited step by step.
    client_user = demo.exec(select(User).where(User.username == f"api-{maple.client_id}")).one()
    assert order.created_by_id == client_user.id and client_user.status == "disabled"
    steps = demo.exec(select(AuditEvent.action).where(AuditEvent.user_id == client_user.id)).all()
    for action in ("order.draft_started", "order.submitted", "pas.submitted"):
        assert action in steps
    # Like any order of the practice (which shares its orders): in the office's "My orders".
    rows, _ = search_my_orders(demo, actor=actor_for(demo, "ordering"), order_filter=OrderFilter())
    assert response["preAuthRef"] in [row.order_number for row in rows]


def test_es384_clients_work_too_and_the_token_answer_follows_smart(demo, api, harbor):
    answer = api.post("/fhir/auth/token", data=harbor.token_form(scope="system/Claim.read"))
    assert answer.status_code == 200, answer.text
    token = answer.json()
    assert token["token_type"].lower() == "bearer" and token["expires_in"] == 300
    assert token["scope"] == "system/Claim.read"
    assert answer.headers["cache-control"] == "no-store"
    stored = demo.exec(select(ApiAccessToken)).one()
    assert (
        stored.token_hash != token["access_token"] and len(stored.token_hash) == 64
    )  # only the hash is kept
    # The narrower scope is enforced: no $submit with a read-only token.
    refused = api.post(
        SUBMIT,
        json=pb.bundle("imaging-approved"),
        headers={"Authorization": f"Bearer {token['access_token']}", "Content-Type": "application/fhir+json"},
    )
    assert refused.status_code == 403 and refused.json()["resourceType"] == "OperationOutcome"
    assert _audit(demo, "api.scope_denied")


# --- pended, then decided; the subscriber is told ------------------------------------------


def test_a_pended_request_decided_by_a_reviewer_reaches_the_subscriber(demo, api, maple, receiver):
    receiver.reset()
    created = api.post(
        "/fhir/Subscription",
        headers=maple.headers(api),
        json={
            "resourceType": "Subscription",
            "status": "requested",
            "reason": "PAS results",
            "criteria": "http://hl7.org/fhir/us/davinci-pas/SubscriptionTopic/PASSubscriptionTopic",
            "_criteria": {
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
                        "backport-filter-criteria",
                        "valueString": "org-identifier=90-1000001",
                    }
                ]
            },
            "channel": {
                "type": "rest-hook",
                "endpoint": f"{receiver.url}/notify",
                "payload": "application/fhir+json",
                "header": ["Authorization: Bearer subscriber-secret"],
                "_payload": {
                    "extension": [
                        {
                            "url": "http://hl7.org/fhir/uv/subscriptions-backport/"
                            "StructureDefinition/backport-payload-content",
                            "valueCode": "full-resource",
                        }
                    ]
                },
            },
        },
    )
    assert created.status_code == 201, created.text
    subscription = created.json()
    assert subscription["status"] == "active" and created.headers["location"].endswith(
        f"/Subscription/{subscription['id']}"
    )

    raw, number = _pended(api, demo, maple, MEMBERS[1])
    order = _order(demo, number)
    assert order.status == "in_progress"
    [task] = demo.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).all()
    assert (task.queue, task.status) == ("nurse", "open")  # in the nurse's queue like any other request
    rows, _ = review.list_queue(
        demo, actor=actor_for(demo, "nurse"), queue="nurse", queue_filter=review.QueueFilter()
    )
    assert number in [row.order_number for row in rows]
    # The free-form message went to the reviewer as clinical information.
    assert (
        "no conservative care"
        in review.open_case(demo, actor=actor_for(demo, "nurse"), order_number=number).notes[-1]
    )
    assert _count(demo, PasNotification) == 0  # nothing to tell while it waits

    review.approve_line(
        demo,
        actor=actor_for(demo, "nurse"),
        order_number=number,
        line_number=1,
        version=order.version,
        note="Approved after review of the therapy notes.",
    )
    [notification] = demo.exec(select(PasNotification)).all()
    assert (notification.status, notification.event_number) == ("pending", 1)

    receiver.failures = 1  # the subscriber is down the first time: retried with backoff
    assert subscriptions.deliver_due(demo) == [(notification.id, "retry")]
    demo.refresh(notification)
    assert notification.attempts == 1 and notification.last_error == "HTTP 503"
    assert subscriptions.deliver_due(demo) == []  # not due again yet
    later = datetime.now(UTC) + subscriptions.retry_delay(1) + timedelta(seconds=1)
    assert subscriptions.deliver_due(demo, now=later) == [(notification.id, "delivered")]

    [(headers, posted)] = receiver.received
    assert headers["authorization"] == "Bearer subscriber-secret"
    assert headers["content-type"].startswith("application/fhir+json")
    Bundle.model_validate(posted)
    assert posted["type"] == "history"
    status, carried = posted["entry"][0]["resource"], posted["entry"][1]["resource"]
    parameters = {p["name"]: p for p in status["parameter"]}
    assert parameters["topic"]["valueCanonical"].endswith("/PASSubscriptionTopic")
    assert parameters["type"]["valueCode"] == "event-notification"
    assert parameters["subscription"]["valueReference"]["reference"].endswith(
        f"/Subscription/{subscription['id']}"
    )
    decided = _valid(carried)  # the full PAS response Bundle
    assert (decided["preAuthRef"], decided["outcome"], _action(decided["item"][0])) == (
        number,
        "complete",
        "A1",
    )
    assert "therapy notes" in decided["processNote"][0]["text"]
    assert [e.outcome for e in _audit(demo, "pas.notification_delivered")] == [AuditOutcome.SUCCESS]
    assert _audit(demo, "pas.notification_retry")

    # $inquire answers the same decision; the submitting client's own NPI matches.
    inquired = api.post(INQUIRE, json=_inquiry(raw, npi=pb.ORDERING_NPI), headers=maple.headers(api))
    assert inquired.status_code == 200, inquired.text
    assert _action(_valid(_inquiry_bundles(inquired.json())[0])["item"][0]) == "A1"

    assert (
        api.delete(f"/fhir/Subscription/{subscription['id']}", headers=maple.headers(api)).status_code == 200
    )
    assert (
        api.get(f"/fhir/Subscription/{subscription['id']}", headers=maple.headers(api)).json()["status"]
        == "off"
    )


def test_a_notification_that_keeps_failing_stops_after_the_last_attempt(demo, api, maple, receiver):
    receiver.reset()
    receiver.failures = 100
    api.post(
        "/fhir/Subscription",
        headers=maple.headers(api),
        json={
            "resourceType": "Subscription",
            "status": "requested",
            "reason": "PAS results",
            "criteria": "http://hl7.org/fhir/us/davinci-pas/SubscriptionTopic/PASSubscriptionTopic",
            "channel": {"type": "rest-hook", "endpoint": f"{receiver.url}/notify"},
        },
    )
    _raw, number = _pended(api, demo, maple, MEMBERS[2])
    review.approve_line(
        demo,
        actor=actor_for(demo, "nurse"),
        order_number=number,
        line_number=1,
        version=_order(demo, number).version,
    )
    now = datetime.now(UTC)
    outcomes = []
    for attempt in range(1, subscriptions.MAX_ATTEMPTS + 1):
        outcomes += [outcome for _id, outcome in subscriptions.deliver_due(demo, now=now)]
        now += subscriptions.retry_delay(attempt) + timedelta(seconds=1)
    assert outcomes == ["retry"] * (subscriptions.MAX_ATTEMPTS - 1) + ["failed"]
    assert subscriptions.retry_delay(1) < subscriptions.retry_delay(2) < subscriptions.retry_delay(3)
    assert subscriptions.retry_delay(20) == timedelta(seconds=subscriptions.MAX_RETRY_SECONDS)
    receiver.reset()


def test_a_subscription_must_notify_a_registered_address(demo, api, maple):
    for endpoint in ("https://elsewhere.example/notify", "http://10.0.0.8/notify"):
        answer = api.post(
            "/fhir/Subscription",
            headers=maple.headers(api),
            json={
                "resourceType": "Subscription",
                "status": "requested",
                "reason": "x",
                "criteria": "http://hl7.org/fhir/us/davinci-pas/SubscriptionTopic/PASSubscriptionTopic",
                "channel": {"type": "rest-hook", "endpoint": endpoint},
            },
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["issue"][0]["code"] == "security"


# --- partial approval: fewer units than asked ----------------------------------------------


def test_a_partial_approval_answers_modified_with_the_authorized_quantity(demo, api, maple):
    raw, number = _pended(api, demo, maple, MEMBERS[3], quantity=3)
    line = demo.exec(select(OrderLine).join(Order).where(Order.order_number == number)).one()
    assert line.quantity == 3  # Claim.item.quantity reached the order line
    _to_physician_with_peer_to_peer(demo, number)
    review.partially_approve_line(
        demo,
        actor=actor_for(demo, "physician"),
        order_number=number,
        line_number=1,
        version=_order(demo, number).version,
        approved_quantity=2,
        reason_code=_not_met_criterion(demo, number),
        text="Two studies are enough for this indication.",
    )

    response = _valid(_submit(api, maple, raw))  # the same Claim again: the request as it stands now
    [item] = response["item"]
    assert _action(item) == "A6" and response["outcome"] == "complete"
    detail = _item_extension(item, "itemAuthorizedDetail")
    assert {"url": "quantity", "valueQuantity": {"value": 2}} in detail["extension"]
    [added] = response["addItem"]
    assert added["itemSequence"] == [1] and added["quantity"] == {"value": 2}
    assert added["productOrService"]["coding"][0]["code"] == "72148" and _action(added) == "A1"
    assert "Authorized 2 of the 3 units requested" in response["processNote"][0]["text"]
    reason = [e for e in item["adjudication"][0]["extension"][0]["extension"] if e["url"] == "reasonCode"][0]
    assert reason["valueCodeableConcept"]["text"] == "Two studies are enough for this indication."
    assert response["preAuthPeriod"]["start"] == pb.service_date().isoformat()


# --- updates: cancel, cancel items, change items, add documents ------------------------------


def test_cancelling_a_whole_request_through_related_claim(demo, api, maple):
    raw, number = _pended(api, demo, maple, MEMBERS[4])
    update = pb.update_of(raw)
    pb.claim(update)["extension"] = [
        {
            "url": f"{pb.PAS}/extension-certificationType",
            "valueCodeableConcept": {
                "coding": [{"system": "https://codesystem.x12.org/005010/1322", "code": "3"}]
            },
        }
    ]
    response = _valid(_submit(api, maple, update))
    assert response["preAuthRef"] == number and [_action(i) for i in response["item"]] == ["C"]
    assert response["request"]["identifier"] == pb.claim_identifier(update)
    order = _order(demo, number)
    assert order.status == "voluntarily_cancelled"
    assert all(
        task.closed_at is not None
        for task in demo.exec(select(ReviewTask).where(ReviewTask.order_id == order.id)).all()
    )
    kinds = demo.exec(select(PasSubmission.kind).where(PasSubmission.order_id == order.id)).all()
    assert sorted(kinds) == ["initial", "update"]
    # A cancelled request cannot be updated again.
    again = pb.update_of(raw)
    pb.claim(again)["extension"] = pb.claim(update)["extension"]
    refused = _submit(api, maple, again, status=422)
    assert "cancelled" in refused["issue"][0]["diagnostics"]


def _two_item_pended(api, session, client, member: str) -> tuple[dict, str]:
    raw = pb.for_member(pb.bundle("imaging-pended"), session, member)
    second = copy.deepcopy(pb.claim(raw)["item"][0])
    second["sequence"] = 2
    second["productOrService"]["coding"][0].update(
        code="72158", display="MRI lumbar spine with and without contrast"
    )
    second["extension"] = [
        {
            "url": f"{pb.PAS}/extension-itemTraceNumber",
            "valueIdentifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:second-item"},
        }
    ]
    pb.claim(raw)["item"].append(second)
    response = _valid(_submit(api, client, raw))
    assert [_action(item) for item in response["item"]] == ["A4", "A4"]
    return raw, response["preAuthRef"]


def test_cancelling_one_item_changing_another_and_adding_a_document(demo, api, maple):
    raw, number = _two_item_pended(api, demo, maple, MEMBERS[5])
    first, second = copy.deepcopy(pb.claim(raw)["item"])
    second.setdefault("modifierExtension", []).append(
        {"url": f"{pb.PAS}/modifierextension-infoCancelled", "valueBoolean": True}
    )
    first["quantity"] = {"value": 2}
    first["extension"].append({"url": f"{pb.PAS}/extension-infoChanged", "valueCode": "changed"})
    update = pb.update_of(raw)
    pb.claim(update)["item"] = [first, second]
    pdf = b"%PDF-1.4\n% physical therapy notes\n%%EOF\n"
    update["entry"].append(
        {
            "fullUrl": "urn:uuid:0d0c0b0a-0000-4000-8000-000000000001",
            "resource": {
                "resourceType": "DocumentReference",
                "status": "current",
                "description": "Physical therapy notes",
                "content": [
                    {
                        "attachment": {
                            "contentType": "application/pdf",
                            "title": "pt-notes.pdf",
                            "data": base64.b64encode(pdf).decode(),
                        }
                    }
                ],
            },
        }
    )
    pb.claim(update)["supportingInfo"] = [
        {
            "sequence": 3,
            "extension": [{"url": f"{pb.PAS}/extension-infoChanged", "valueCode": "added"}],
            "category": {
                "coding": [
                    {
                        "system": "http://hl7.org/fhir/us/davinci-pas/CodeSystem/PASTempCodes",
                        "code": "additionalInformation",
                    }
                ]
            },
            "valueReference": {"reference": "urn:uuid:0d0c0b0a-0000-4000-8000-000000000001"},
        }
    ]

    response = _valid(_submit(api, maple, update))
    assert [(i["itemSequence"], _action(i)) for i in response["item"]] == [(1, "A4"), (2, "C")]
    order = _order(demo, number)
    lines = demo.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_number)
    ).all()
    assert [(line.decision, line.quantity) for line in lines] == [("pended", 2), ("cancelled", 1)]
    assert order.status == "in_progress"
    [document] = demo.exec(select(Document).where(Document.order_id == order.id)).all()
    assert (document.filename, document.media_type, document.size_bytes) == (
        "pt-notes.pdf",
        "application/pdf",
        len(pdf),
    )
    assert _audit(demo, "order.lines_cancelled") and _audit(demo, "order.lines_changed")
    # The stored request keeps a hash of the attachment, not its bytes.
    kept = demo.exec(select(PasSubmission).where(PasSubmission.kind == "update")).one().request_bundle
    attachment = kept["entry"][-1]["resource"]["content"][0]["attachment"]
    assert "data" not in attachment and attachment["hash"]


def test_a_denied_request_cannot_be_updated(demo, api, maple):
    raw, number = _pended(api, demo, maple, MEMBERS[6])
    _to_physician_with_peer_to_peer(demo, number)
    review.deny_line(
        demo,
        actor=actor_for(demo, "physician"),
        order_number=number,
        line_number=1,
        version=_order(demo, number).version,
        reason_code=_not_met_criterion(demo, number),
        text="Six weeks of conservative care have not been tried.",
    )
    response = _valid(_submit(api, maple, raw))
    assert _action(response["item"][0]) == "A3"
    assert "Six weeks of conservative care" in response["processNote"][0]["text"]

    update = pb.update_of(raw)
    item = copy.deepcopy(pb.claim(raw)["item"][0])
    item["quantity"] = {"value": 2}
    item["extension"].append({"url": f"{pb.PAS}/extension-infoChanged", "valueCode": "changed"})
    pb.claim(update)["item"] = [item]
    refused = _submit(api, maple, update, status=422)
    assert refused["resourceType"] == "OperationOutcome"
    assert "denied request cannot be updated" in refused["issue"][0]["diagnostics"]
    assert _count(demo, PasSubmission) == 1  # the refused update left nothing behind


# --- inquiry: member ID plus an NPI of the inquirer -----------------------------------------


def test_an_inquiry_by_another_provider_needs_a_matching_npi(demo, api, maple, harbor):
    raw, number = _pended(api, demo, maple, MEMBERS[7])
    harbor_npi = "1990000030"  # a Harbor View oncologist: not on this order

    # PAS 2.2: no match is a success with zero results (whether the request exists or not).
    refused = api.post(INQUIRE, json=_inquiry(raw, npi=harbor_npi), headers=harbor.headers(api))
    assert refused.status_code == 200 and _inquiry_bundles(refused.json()) == []
    # Naming the order's own ordering NPI does not help: that NPI is not Harbor View's.
    spoofed = api.post(INQUIRE, json=_inquiry(raw, npi=pb.ORDERING_NPI), headers=harbor.headers(api))
    assert spoofed.status_code == 200 and _inquiry_bundles(spoofed.json()) == []
    denied = _audit(demo, "pas.inquiry_empty")
    assert [e.outcome for e in denied] == [AuditOutcome.DENIED, AuditOutcome.DENIED]

    # The rendering facility's own system (its NPI registered with the client) may ask.
    facility = pb.register(demo, tax_id=pb.HARBOR_TAX_ID, extra_npis=(pb.IMAGING_FACILITY_NPI,))
    answer = api.post(INQUIRE, json=_inquiry(raw, npi=pb.IMAGING_FACILITY_NPI), headers=facility.headers(api))
    assert answer.status_code == 200, answer.text
    [found] = _inquiry_bundles(answer.json())
    assert found["meta"]["profile"] == [f"{pb.PAS}/profile-pas-inquiry-response-bundle"]
    response = _valid(found)
    assert response["preAuthRef"] == number and _action(response["item"][0]) == "A4"
    assert response["meta"]["profile"][0].endswith("profile-claiminquiryresponse")
    assert _audit(demo, "pas.inquiry")[-1].record_id == str(_order(demo, number).id)


def test_a_client_cannot_see_or_change_another_organizations_request(demo, api, maple, harbor):
    raw, number = _pended(api, demo, maple, MEMBERS[8])
    # Harbor View names Maple Street's Claim in an update: as if it did not exist.
    update = pb.update_of(raw)
    pb.claim(update)["extension"] = [
        {
            "url": f"{pb.PAS}/extension-certificationType",
            "valueCodeableConcept": {
                "coding": [{"system": "https://codesystem.x12.org/005010/1322", "code": "3"}]
            },
        }
    ]
    refused = _submit(api, harbor, update, status=404)
    assert refused["issue"][0]["code"] == "not-found"
    assert _order(demo, number).status == "in_progress"
    # Repeating Maple Street's Claim does not hand Harbor View the response either: a Claim
    # identifier belongs to the organization that used it.
    other = _submit(api, harbor, raw, status=403)
    assert "tax ID" in other["issue"][0]["diagnostics"]
    # Nor may Harbor View subscribe to Maple Street's requests.
    harbor_sub = api.post(
        "/fhir/Subscription",
        headers=harbor.headers(api),
        json={
            "resourceType": "Subscription",
            "status": "requested",
            "reason": "x",
            "criteria": "http://hl7.org/fhir/us/davinci-pas/SubscriptionTopic/PASSubscriptionTopic",
            "_criteria": {
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
                        "backport-filter-criteria",
                        "valueString": "org-identifier=90-1000001",
                    }
                ]
            },
            "channel": {"type": "rest-hook", "endpoint": "https://harbor.example/notify"},
        },
    )
    assert harbor_sub.status_code == 422
    assert {i["code"] for i in harbor_sub.json()["issue"]} >= {"forbidden"}


# --- refusals: malformed, unknown, not built -------------------------------------------------


def test_a_malformed_bundle_is_refused_and_nothing_is_stored(demo, api, maple):
    orders_before = _count(demo, Order)
    good = pb.for_member(pb.bundle("imaging-approved"), demo, MEMBERS[9])
    no_patient = copy.deepcopy(good)
    del pb.claim(no_patient)["patient"]
    bad_date = copy.deepcopy(good)
    pb.entry(bad_date, "Patient")["birthDate"] = "14/04/2004"
    not_claim_first = copy.deepcopy(good)
    not_claim_first["entry"].reverse()
    unknown_element = copy.deepcopy(good)
    pb.claim(unknown_element)["colour"] = "blue"
    dangling = copy.deepcopy(good)
    pb.claim(dangling)["insurance"][0]["coverage"] = {"reference": "urn:uuid:not-in-the-bundle"}
    no_identifier = copy.deepcopy(good)
    del pb.claim(no_identifier)["identifier"]
    for raw, expression in (
        (no_patient, "Bundle.entry[0].resource.patient"),
        (bad_date, "birthDate"),
        (not_claim_first, "Bundle.entry[0].resource"),
        (unknown_element, "colour"),
        (dangling, "Claim.insurance[0].coverage"),
        (no_identifier, "Claim.identifier"),
        ({"resourceType": "Patient"}, ""),
        (
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Nonsense"}}],
            },
            "",
        ),
    ):
        outcome = _submit(api, maple, raw, status=400)
        assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["severity"] == "error"
        if expression:
            assert any(expression in e for issue in outcome["issue"] for e in issue.get("expression", [])), (
                outcome
            )
    not_json = api.post(SUBMIT, content=b"{not json", headers=maple.headers(api))
    assert not_json.status_code == 400
    wrong_type = api.post(
        SUBMIT, content=b"<Bundle/>", headers={**maple.headers(api), "Content-Type": "application/xml"}
    )
    assert wrong_type.status_code == 415
    assert (_count(demo, Order), _count(demo, PasSubmission)) == (orders_before, 0)
    assert len(_audit(demo, "pas.submit_refused")) == 8


def test_a_business_refusal_leaves_no_draft_behind(demo, api, maple):
    orders_before = _count(demo, Order)
    good = pb.for_member(pb.bundle("imaging-approved"), demo, MEMBERS[10])
    unknown_member = copy.deepcopy(good)
    pb.entry(unknown_member, "Coverage")["subscriberId"] = "EVG999999999"
    wrong_birth_date = copy.deepcopy(good)
    pb.entry(wrong_birth_date, "Patient")["birthDate"] = "1901-01-01"
    out_of_network = pb.with_performer(good, pb.OUT_OF_NETWORK_FACILITY_NPI)
    not_managed = copy.deepcopy(good)
    pb.claim(not_managed)["item"][0]["productOrService"]["coding"][0]["code"] = "99213"
    pb.claim(not_managed)["item"][0].pop("extension")
    pb.claim(not_managed)["identifier"][0]["value"] = "NOT-MANAGED-1"
    retro = pb.for_member(
        pb.bundle("imaging-approved"), demo, MEMBERS[10], when=datetime.now(UTC).date() - timedelta(days=30)
    )
    for raw, words in (
        (unknown_member, "No member has the ID"),
        (wrong_birth_date, "do not match"),
        (out_of_network, "out of network"),
        (retro, ""),
    ):
        outcome = _submit(api, maple, raw, status=422)
        assert words in outcome["issue"][0]["diagnostics"], outcome
    assert (_count(demo, Order), _count(demo, PasSubmission)) == (orders_before, 0)
    assert len(_audit(demo, "pas.draft_discarded")) == 1  # out of network
    # A code no program of the plan manages is answered per item (contact the health plan), no order.
    answered = _valid(_submit(api, maple, not_managed))
    assert [_action(item) for item in answered["item"]] == ["CT"] and "preAuthRef" not in answered
    assert "99213 is not managed for this member's coverage" in answered["processNote"][0]["text"]
    assert _count(demo, Order) == orders_before
    # Acknowledging the out-of-network facility, as the wizard's confirmation does, goes through.
    accepted = _valid(_submit(api, maple, pb.acknowledge(out_of_network, "out-of-network")))
    assert _order(demo, accepted["preAuthRef"]).out_of_network_confirmed


def test_a_similar_request_on_file_must_be_acknowledged_as_the_wizard_asks(demo, api, maple):
    first = _valid(_submit(api, maple, pb.for_member(pb.bundle("imaging-approved"), demo, MEMBERS[12])))
    second = pb.for_member(pb.bundle("imaging-approved"), demo, MEMBERS[12])  # another Claim, same service
    refused = _submit(api, maple, second, status=422)
    assert (
        refused["issue"][0]["code"] == "duplicate"
        and first["preAuthRef"] in refused["issue"][0]["diagnostics"]
    )
    assert _count(demo, PasSubmission) == 1
    accepted = _valid(_submit(api, maple, pb.acknowledge(second, "duplicate")))
    assert accepted["preAuthRef"] != first["preAuthRef"]
    assert _order(demo, accepted["preAuthRef"]).duplicate_of == first["preAuthRef"]


# --- the other programs: an oncology regimen, rehabilitation visits ---------------------------


def test_an_oncology_regimen_on_the_pathway_is_approved_at_once(demo, api, harbor):
    raw = pb.for_member(pb.bundle("oncology-regimen"), demo, "SUM100000006")
    response = _valid(_submit(api, harbor, raw))
    assert response["outcome"] == "complete"
    assert [(item["itemSequence"], _action(item)) for item in response["item"]] == [
        (1, "A1"),
        (2, "A1"),
        (3, "A1"),
        (4, "A1"),
    ]
    order = _order(demo, response["preAuthRef"])
    assert (order.program, order.status) == ("medical_oncology", "authorized")
    lines = demo.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_number)
    ).all()
    assert [(line.code, line.quantity) for line in lines] == [
        ("J9171", 792),
        ("J9045", 78),
        ("J9355", 260),
        ("J9306", 2940),
    ]
    assert order.details["regimen_id"] == "breast_tchp" and len(order.details["drugs"]) == 4
    assert response["preAuthPeriod"]["start"] == pb.service_date().isoformat()


def test_rehabilitation_visits_pended_then_partly_approved_answer_modified(demo, api, receiver):
    receiver.reset()
    harbor = pb.register(demo, tax_id=pb.HARBOR_TAX_ID, alg="ES384", notify=(f"{receiver.url}/notify",))
    created = api.post(
        "/fhir/Subscription",
        headers=harbor.headers(api),
        json={
            "resourceType": "Subscription",
            "status": "requested",
            "reason": "PAS results",
            "criteria": "http://hl7.org/fhir/us/davinci-pas/SubscriptionTopic/PASSubscriptionTopic",
            "channel": {"type": "rest-hook", "endpoint": f"{receiver.url}/notify"},
        },
    )
    assert created.status_code == 201, created.text
    raw = pb.for_member(pb.bundle("rehab-visits"), demo, "LKS100000005")
    response = _valid(_submit(api, harbor, raw))
    assert response["outcome"] == "queued" and _action(response["item"][0]) == "A4"
    number = response["preAuthRef"]
    line = demo.exec(select(OrderLine).join(Order).where(Order.order_number == number)).one()
    assert (line.code, line.quantity) == ("97110", 12)  # twelve visits asked for

    _to_physician_with_peer_to_peer(demo, number)
    review.partially_approve_line(
        demo,
        actor=actor_for(demo, "physician"),
        order_number=number,
        line_number=1,
        version=_order(demo, number).version,
        approved_quantity=8,
        reason_code=_not_met_criterion(demo, number),
        text="Eight visits, then a progress report with the updated score.",
    )
    assert [outcome for _id, outcome in subscriptions.deliver_due(demo)] == ["delivered"]
    [(_headers, posted)] = receiver.received
    decided = _valid(posted["entry"][1]["resource"])
    [item] = decided["item"]
    assert _action(item) == "A6"
    [added] = decided["addItem"]
    assert (added["itemSequence"], added["quantity"], _action(added)) == ([1], {"value": 8}, "A1")
    assert "Authorized 8 of the 12 units requested" in decided["processNote"][0]["text"]
    receiver.reset()


@pytest.mark.parametrize(
    ("name", "program", "member"),
    [
        ("rehab-visits", Program.REHABILITATION, "LKS100000005"),
        ("oncology-regimen", Program.MEDICAL_ONCOLOGY, "SUM100000006"),
    ],
)
def test_a_program_precert_does_not_run_is_refused_clearly(
    demo, api, harbor, monkeypatch, name, program, member
):
    """Whatever is registered today: a program missing from the catalogue gets a plain refusal."""
    monkeypatch.delitem(PROGRAMS, program, raising=False)
    raw = pb.for_member(pb.bundle(name), demo, member)
    outcome = _submit(api, harbor, raw, status=422)
    [issue] = outcome["issue"]
    assert issue["code"] == "not-supported"
    assert program.label.lower() in issue["diagnostics"] and "Nothing was stored" in issue["diagnostics"]
    assert (
        _count(demo, PasSubmission),
        demo.exec(select(func.count()).select_from(Order).where(Order.status == "draft")).one(),
    ) == (0, 0)


# --- idempotency ---------------------------------------------------------------------------


def test_a_repeated_submit_of_the_same_claim_returns_the_first_answer(demo, api, maple):
    raw = pb.for_member(pb.bundle("imaging-approved"), demo, MEMBERS[11])
    first = _valid(_submit(api, maple, raw))
    orders = _count(demo, Order)
    again = copy.deepcopy(raw)
    again["id"] = "a-retry"
    again["timestamp"] = datetime.now(UTC).isoformat(timespec="seconds")
    second = _valid(_submit(api, maple, again))
    assert _count(demo, Order) == orders and _count(demo, PasSubmission) == 1
    for key in ("preAuthRef", "outcome", "item", "preAuthPeriod", "identifier"):
        assert first[key] == second[key]
    assert _audit(demo, "pas.submit_repeated")
    # The same identifier on a different Claim is refused.
    changed = copy.deepcopy(raw)
    pb.claim(changed)["diagnosis"] = [
        {
            "sequence": 1,
            "diagnosisCodeableConcept": {
                "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M51.16"}]
            },
        }
    ]
    conflict = _submit(api, maple, changed, status=409)
    assert conflict["issue"][0]["code"] == "conflict"


# --- tokens --------------------------------------------------------------------------------


def test_tokens_need_a_valid_recent_unreplayed_assertion(demo, api, maple):
    def token(form):
        return api.post("/fhir/auth/token", data=form)

    now = int(time.time())
    other_key = pb.new_key("RS384")
    cases = {
        "bad signature": maple.assertion(key=other_key),
        "expired": maple.assertion(exp=now - 120, iat=now - 420),
        "exp too far ahead": maple.assertion(exp=now + 600),
        "wrong audience": maple.assertion(aud="https://elsewhere.example/token"),
        "RS256 not allowed": maple.assertion(alg="RS256"),
        "no jti": maple.assertion(jti=None),
        "iss is not sub": maple.assertion(iss="someone-else"),
        "unknown client": maple.assertion(iss="pc-unknown", sub="pc-unknown"),
    }
    for case, assertion in cases.items():
        answer = token(maple.token_form(assertion))
        assert answer.status_code in (400, 401), (case, answer.text)
        assert answer.json()["error"] == "invalid_client", (case, answer.text)
    assert token({"grant_type": "client_credentials"}).json()["error"] in (
        "invalid_client",
        "invalid_request",
    )
    assert token(maple.token_form(client_assertion_type="urn:x")).status_code == 400

    assertion = maple.assertion()
    assert token(maple.token_form(assertion)).status_code == 200
    replay = token(maple.token_form(assertion))
    assert replay.json()["error"] == "invalid_client" and "used" in replay.json()["error_description"]
    assert len(_audit(demo, "api.token_refused")) == len(cases) + 3
    assert all(e.outcome == AuditOutcome.DENIED for e in _audit(demo, "api.token_refused"))


def test_requests_without_a_live_token_are_refused(demo, api, maple):
    raw = pb.bundle("imaging-approved")
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        answer = api.post(SUBMIT, json=raw, headers=headers)
        assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["resourceType"] == "OperationOutcome"
    headers = maple.headers(api)
    stored = demo.exec(select(ApiAccessToken)).one()
    stored.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    demo.add(stored)
    demo.commit()
    assert api.post(SUBMIT, json=raw, headers=headers).status_code == 401
    assert len(_audit(demo, "api.request_unauthenticated")) == 4
    # A disabled client's tokens stop at once.
    fresh = pb.register(demo)
    fresh_headers = fresh.headers(api)
    from portal_app.services.api_clients import disable_client

    disable_client(demo, actor=None, client_id=fresh.client_id)
    assert api.post(SUBMIT, json=raw, headers=fresh_headers).status_code == 401
    assert api.post("/fhir/auth/token", data=fresh.token_form()).status_code in (400, 401)


def test_discovery_documents(demo, api):
    smart = api.get("/fhir/.well-known/smart-configuration").json()
    assert smart["token_endpoint"] == f"{pb.PORTAL}/fhir/auth/token"
    assert smart["token_endpoint_auth_signing_alg_values_supported"] == ["RS384", "ES384"]
    metadata = api.get("/fhir/metadata").json()
    assert metadata["resourceType"] == "CapabilityStatement"
    assert metadata["instantiates"][0].endswith("/IntermediaryCapabilities|2.2.1")  # the PAS version served
    assert {op["name"] for op in metadata["rest"][0]["resource"][0]["operation"]} == {"submit", "inquire"}
