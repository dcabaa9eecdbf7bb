"""PAS subscriptions (FHIR R4 Subscriptions backport, rest-hook, full-resource) and their delivery.

* A client creates a Subscription to the PAS topic (`criteria` = the topic's canonical URL,
  `channel.type` = rest-hook). Notifications go to `channel.endpoint`, which must start with one of
  the URL prefixes vetted when the client was registered (no posting PHI to arbitrary places), with
  the `channel.header` lines the client asked for (e.g. its own Authorization header).
  PAS filters notifications by the submitting organization, so a subscription covers every request
  the client's organization sent through the API that the client may read.
* When a reviewer's decision finishes a review (`review._commit`, final), `queue_decision_notifications`
  adds one notification per subscription in the same transaction (a transactional outbox): the
  decision and the promise to tell the subscriber are committed together or not at all.
* `deliver_due` posts due notifications: a backport notification Bundle (type history) whose first
  entry is the SubscriptionStatus (Parameters) and whose second is the full PAS response Bundle,
  ClaimResponse first. A failure (no answer, or not 2xx) is retried with exponential backoff
  (30 s, 1 min, 2 min ... capped at an hour) up to 8 attempts. The lifespan task
  `deliver_notifications_forever` runs it every few seconds in the app.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from portal_app import clock
from portal_app.domain.enums import AuditOutcome, Role
from portal_app.models import ApiClient, Order, PasNotification, PasSubmission, PasSubscription
from portal_app.models.api import NotificationStatus, SubscriptionStatus
from portal_app.models.base import get_existing, id_of
from portal_app.services import audit
from portal_app.services.api_clients import ApiPrincipal
from portal_app.services.authz import Actor, require
from portal_app.services.orders import may_read_order
from portal_app.services.pas import vocabulary as v
from portal_app.services.pas.outcomes import Issue, PasProblem
from portal_app.services.periodic import repeat_in_thread
from portal_app.settings import get_settings

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600
LEASE_SECONDS = 60  # a notification being posted is not picked again for this long
TIMEOUT_SECONDS = 10
POLL_SECONDS = 5
MAX_HEADERS = 5
BATCH = 20


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def fhir_base() -> str:
    return f"{get_settings().public_url}/fhir"


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 60 s, 120 s ... at most an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


# --- the Subscription resource ---------------------------------------------------------------


def _extension_value(element: Any, url: str, key: str) -> str:
    for extension in (element or {}).get("extension", []) if isinstance(element, dict) else []:
        if extension.get("url") == url:
            return str(extension.get(key, ""))
    return ""


def _as_resource(row: PasSubscription) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Subscription",
        "id": str(row.id),
        "meta": {"profile": [f"{v.BACKPORT}/backport-subscription"]},
        "status": str(row.status),
        "reason": row.reason or "PAS results for requests of this organization",
        "criteria": v.PAS_TOPIC,
        "channel": {
            "type": "rest-hook",
            "endpoint": row.endpoint,
            "payload": "application/fhir+json",
            "_payload": {"extension": [{"url": v.BACKPORT_PAYLOAD_CONTENT, "valueCode": row.content}]},
        },
    }
    if row.filter_criteria:
        resource["_criteria"] = {
            "extension": [{"url": v.BACKPORT_FILTER_CRITERIA, "valueString": row.filter_criteria}]
        }
    if row.headers:
        resource["channel"]["header"] = list(row.headers)
    if row.ended_at:
        resource["end"] = _aware(row.ended_at).isoformat(timespec="seconds")
    return resource


def create_subscription(session: Session, *, principal: ApiPrincipal, resource: Any) -> dict[str, Any]:
    """Register a rest-hook subscription to the PAS topic for the client's organization."""
    require(session, principal.actor, "pas.subscribe", record="Subscription")
    problem = _subscription_problem(session, principal, resource)
    if problem is not None:
        audit.record(
            session,
            action="pas.subscription_refused",
            user_id=principal.actor.user_id,
            outcome=AuditOutcome.FAILURE,
            client_address=principal.actor.client_address,
            detail={"client_id": principal.client_id, "issues": [i.text[:200] for i in problem.issues]},
        )
        session.commit()
        raise problem
    channel = resource["channel"]
    row = PasSubscription(
        api_client_id=principal.api_client_id,
        status=SubscriptionStatus.ACTIVE,
        endpoint=channel["endpoint"],
        headers=list(channel.get("header") or []),
        content="full-resource",
        filter_criteria=_extension_value(
            resource.get("_criteria"), v.BACKPORT_FILTER_CRITERIA, "valueString"
        )[:500],
        reason=str(resource.get("reason") or "")[:500],
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        action="pas.subscription_created",
        user_id=principal.actor.user_id,
        record_type="subscription",
        record_id=id_of(row),
        client_address=principal.actor.client_address,
        detail={"client_id": principal.client_id, "endpoint": urlsplit(row.endpoint).netloc},
    )
    session.commit()
    return _as_resource(row)


def _subscription_problem(session: Session, principal: ApiPrincipal, resource: Any) -> PasProblem | None:
    if not isinstance(resource, dict) or resource.get("resourceType") != "Subscription":
        return PasProblem.one(400, "structure", "The request body must be a FHIR Subscription (JSON).")
    from fhir.resources.R4B.subscription import Subscription

    try:
        Subscription.model_validate(resource)
    except ValidationError as invalid:
        return PasProblem(
            400,
            [
                Issue("structure", str(e["msg"]).split("\n")[0], ".".join(map(str, e["loc"])))
                for e in invalid.errors()[:10]
            ],
        )
    except (KeyError, TypeError, ValueError) as invalid:
        return PasProblem.one(
            400, "structure", f"The Subscription is not valid FHIR R4: {str(invalid)[:200]}"
        )
    issues = []
    if resource.get("criteria") != v.PAS_TOPIC:
        issues.append(
            Issue("value", f"Subscribe to the PAS topic: criteria = {v.PAS_TOPIC}.", "Subscription.criteria")
        )
    channel = resource.get("channel") or {}
    if channel.get("type") != "rest-hook":
        issues.append(
            Issue("not-supported", "Only rest-hook channels are supported.", "Subscription.channel.type")
        )
    content = (
        _extension_value(channel.get("_payload"), v.BACKPORT_PAYLOAD_CONTENT, "valueCode") or "full-resource"
    )
    if content != "full-resource":
        issues.append(
            Issue(
                "not-supported",
                "Notifications carry the full PAS response Bundle (payload content full-resource).",
                "Subscription.channel.payload",
            )
        )
    client = get_existing(session, ApiClient, principal.api_client_id)
    endpoint = str(channel.get("endpoint") or "")
    if not endpoint or not any(endpoint.startswith(prefix) for prefix in client.notify_url_prefixes or []):
        allowed = ", ".join(client.notify_url_prefixes or []) or "none registered"
        issues.append(
            Issue(
                "security",
                f"The endpoint must start with a notification URL registered for this client ({allowed}).",
                "Subscription.channel.endpoint",
            )
        )
    headers = channel.get("header") or []
    if len(headers) > MAX_HEADERS or any(
        ":" not in h or "\n" in h or "\r" in h or len(h) > 1000 for h in headers
    ):
        issues.append(
            Issue(
                "value",
                f"Give at most {MAX_HEADERS} headers, each 'Name: value' on one line.",
                "Subscription.channel.header",
            )
        )
    criteria = _extension_value(resource.get("_criteria"), v.BACKPORT_FILTER_CRITERIA, "valueString")
    if criteria:
        wanted = criteria.split("?", 1)[-1]
        names = {part.split("=", 1)[0] for part in wanted.split("&") if part}
        values = {part.split("=", 1)[1].split("|")[-1] for part in wanted.split("&") if "=" in part}
        if names != {"org-identifier"} or not values <= {principal.tax_id, principal.tax_id.replace("-", "")}:
            issues.append(
                Issue(
                    "forbidden",
                    "A subscription covers the client's own organization only: filter with "
                    f"org-identifier={principal.tax_id}, or leave the filter out.",
                    "Subscription._criteria",
                )
            )
    return PasProblem(422 if all(i.code != "structure" for i in issues) else 400, issues) if issues else None


def _own_subscription(session: Session, principal: ApiPrincipal, subscription_id: str) -> PasSubscription:
    row = session.get(PasSubscription, int(subscription_id)) if str(subscription_id).isdigit() else None
    if row is None or row.api_client_id != principal.api_client_id:
        raise PasProblem.one(404, "not-found", "No such subscription for this client.", "Subscription.id")
    return row


def read_subscription(session: Session, *, principal: ApiPrincipal, subscription_id: str) -> dict[str, Any]:
    require(session, principal.actor, "pas.subscribe", record=f"subscription:{subscription_id}"[:60])
    row = _own_subscription(session, principal, subscription_id)
    audit.record(
        session,
        action="pas.subscription_read",
        user_id=principal.actor.user_id,
        record_type="subscription",
        record_id=id_of(row),
        client_address=principal.actor.client_address,
        detail={"client_id": principal.client_id},
    )
    session.commit()
    return _as_resource(row)


def end_subscription(session: Session, *, principal: ApiPrincipal, subscription_id: str) -> None:
    """DELETE: the subscription stops; notifications not yet delivered are dropped."""
    require(session, principal.actor, "pas.subscribe", record=f"subscription:{subscription_id}"[:60])
    row = _own_subscription(session, principal, subscription_id)
    row.status, row.ended_at = SubscriptionStatus.OFF, clock.now()
    session.add(row)
    session.exec(
        update(PasNotification)
        .where(
            col(PasNotification.subscription_id) == row.id,
            col(PasNotification.status) == NotificationStatus.PENDING,
        )
        .values(status=NotificationStatus.FAILED, last_error="subscription ended")
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        action="pas.subscription_ended",
        user_id=principal.actor.user_id,
        record_type="subscription",
        record_id=id_of(row),
        client_address=principal.actor.client_address,
        detail={"client_id": principal.client_id},
    )
    session.commit()


# --- queueing, in the reviewer's transaction -------------------------------------------------


def queue_decision_notifications(session: Session, *, order_id: int) -> int:
    """Queue a notification for each active subscription that covers ``order_id`` (an order sent
    through the API). Adds rows to the caller's session; the caller commits. Returns how many."""
    submitted = session.exec(select(PasSubmission.id).where(PasSubmission.order_id == order_id)).first()
    if submitted is None:
        return 0
    order = get_existing(session, Order, order_id)
    rows = session.exec(
        select(PasSubscription, ApiClient)
        .join(ApiClient, col(ApiClient.id) == PasSubscription.api_client_id)
        .where(
            ApiClient.practice_id == order.practice_id,
            col(ApiClient.active).is_(True),
            PasSubscription.status == SubscriptionStatus.ACTIVE,
        )
    ).all()
    queued = 0
    for subscription, client in rows:
        reader = Actor(
            user_id=client.user_id,
            role=Role.ORDERING_PROVIDER_STAFF,
            full_name=client.name,
            practice_ids=(client.practice_id,),
        )
        if not may_read_order(session, reader, order):
            continue
        subscription.events_sent += 1
        session.add(subscription)
        session.add(
            PasNotification(
                subscription_id=id_of(subscription),
                order_id=order_id,
                event_number=subscription.events_sent,
                next_attempt_at=clock.now(),
            )
        )
        queued += 1
    return queued


# --- delivery --------------------------------------------------------------------------------


def notification_bundle(
    session: Session, notification: PasNotification, subscription: PasSubscription
) -> dict:
    """The backport notification: SubscriptionStatus first, then the full PAS response Bundle."""
    from portal_app.services.pas.service import response_for_order

    order = get_existing(session, Order, notification.order_id)
    response = response_for_order(session, order)
    claim_response = response["entry"][0]
    subscription_url = f"{fhir_base()}/Subscription/{subscription.id}"
    now = clock.now().isoformat(timespec="seconds")
    status: dict[str, Any] = {
        "resourceType": "Parameters",
        "meta": {"profile": [v.BACKPORT_STATUS_PROFILE]},
        "parameter": [
            {"name": "subscription", "valueReference": {"reference": subscription_url}},
            {"name": "topic", "valueCanonical": v.PAS_TOPIC},
            {"name": "status", "valueCode": str(subscription.status)},
            {"name": "type", "valueCode": "event-notification"},
            {"name": "events-since-subscription-start", "valueString": str(subscription.events_sent)},
            {
                "name": "notification-event",
                "part": [
                    {"name": "event-number", "valueString": str(notification.event_number)},
                    {"name": "timestamp", "valueInstant": now},
                    {
                        "name": "focus",
                        "valueReference": {"reference": claim_response["fullUrl"], "type": "ClaimResponse"},
                    },
                    {
                        "name": "additional-context",
                        "valueReference": {"reference": f"urn:uuid:{uuid.uuid4()}"},
                    },
                ],
            },
        ],
    }
    response_url = status["parameter"][5]["part"][3]["valueReference"]["reference"]
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [v.BACKPORT_NOTIFICATION_PROFILE]},
        "type": "history",
        "timestamp": now,
        "entry": [
            {
                "fullUrl": f"urn:uuid:{uuid.uuid4()}",
                "resource": status,
                "request": {"method": "GET", "url": f"{subscription_url}/$status"},
                "response": {"status": "200"},
            },
            {
                "fullUrl": response_url,
                "resource": response,
                "request": {"method": "POST", "url": "Claim/$submit"},
                "response": {"status": "200"},
            },
        ],
    }


def _headers(subscription: PasSubscription) -> dict[str, str]:
    headers = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
    for line in subscription.headers or []:
        name, _, value = line.partition(":")
        if name.strip():
            headers[name.strip()] = value.strip()
    return headers


def _claim(session: Session, notification_id: int, now: datetime) -> bool:
    """Take a due notification for this worker (other workers skip it for the lease)."""
    taken = session.exec(
        update(PasNotification)
        .where(
            col(PasNotification.id) == notification_id,
            col(PasNotification.status) == NotificationStatus.PENDING,
            col(PasNotification.next_attempt_at) <= now,
        )
        .values(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return taken.rowcount == 1


def deliver_due(
    session: Session, *, now: datetime | None = None, client: httpx.Client | None = None, limit: int = BATCH
) -> list[tuple[int, str]]:
    """Post the notifications that are due; returns (notification id, "delivered"/"retry"/"failed")."""
    now = now or clock.now()
    due = session.exec(
        select(PasNotification)
        .where(PasNotification.status == NotificationStatus.PENDING, PasNotification.next_attempt_at <= now)
        .order_by(col(PasNotification.next_attempt_at))
        .limit(limit)
    ).all()
    results: list[tuple[int, str]] = []
    if not due:
        return results  # an HTTP client (its TLS context) costs more than the poll itself
    owned = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    try:
        for notification in due:
            if not _claim(session, id_of(notification), now):
                continue
            results.append((id_of(notification), _deliver_one(session, http, id_of(notification), now)))
    finally:
        if owned:
            http.close()
    return results


def _deliver_one(session: Session, http: httpx.Client, notification_id: int, now: datetime) -> str:
    notification = get_existing(session, PasNotification, notification_id)  # claimed by _claim
    session.refresh(notification)
    subscription = get_existing(session, PasSubscription, notification.subscription_id)
    if subscription.status != SubscriptionStatus.ACTIVE:
        notification.status, notification.last_error = NotificationStatus.FAILED, "subscription not active"
        session.add(notification)
        session.commit()
        return "failed"
    client = session.get(ApiClient, subscription.api_client_id)
    error = ""
    try:
        body = notification_bundle(session, notification, subscription)
        answer = http.post(subscription.endpoint, json=body, headers=_headers(subscription))
        if not 200 <= answer.status_code < 300:
            error = f"HTTP {answer.status_code}"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    notification.attempts += 1
    if not error:
        notification.status, notification.delivered_at, notification.last_error = (
            NotificationStatus.DELIVERED,
            now,
            "",
        )
        outcome = "delivered"
    elif notification.attempts >= MAX_ATTEMPTS:
        notification.status, notification.last_error = NotificationStatus.FAILED, error
        outcome = "failed"
    else:
        notification.next_attempt_at, notification.last_error = (
            now + retry_delay(notification.attempts),
            error,
        )
        outcome = "retry"
    session.add(notification)
    audit.record(
        session,
        action=f"pas.notification_{outcome}",
        user_id=None,
        record_type="order",
        record_id=notification.order_id,
        outcome=AuditOutcome.SUCCESS if outcome == "delivered" else AuditOutcome.FAILURE,
        detail={
            "client_id": client.client_id if client else "",
            "subscription_id": subscription.id,
            "event_number": notification.event_number,
            "attempt": notification.attempts,
            "endpoint": urlsplit(subscription.endpoint).netloc,
            "error": error,
        },
    )
    session.commit()
    if error:
        logger.warning(
            "PAS notification %s to %s: %s (attempt %s)",
            notification.id,
            urlsplit(subscription.endpoint).netloc,
            error,
            notification.attempts,
        )
    return outcome


def _deliver_once() -> None:
    from portal_app.db import session_scope

    with session_scope() as session:
        deliver_due(session)


def _load_fhir_models() -> None:
    from fhir.resources.R4B.bundle import Bundle  # noqa: F401  (the first $submit then does not wait)


async def deliver_notifications_forever() -> None:
    """A lifespan task: post due notifications every few seconds, off the event loop (after loading
    the FHIR models the API validates with, so that the first request does not wait for them)."""
    try:
        await asyncio.to_thread(_load_fhir_models)
    except ImportError as missing:  # pragma: no cover - requirements.txt pins fhir.resources
        logger.warning("FHIR models not available: %s", missing)
    await repeat_in_thread(_deliver_once, seconds=POLL_SECONDS, what="PAS notification delivery")
